package io.github.flinkiteration.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * K-means in a BATCH job gives the centroids of a plain-Java Lloyd's algorithm, as it does in a
 * STREAMING job: with the points read once and kept by the assigning operator, and with the points
 * bound as a constant that the iteration replays into every round.
 */
class KMeansBatchModeTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = ExamplesCluster.extension();

    private static final int PARALLELISM = 4;
    private static final int ROUNDS = 8;

    @ParameterizedTest(name = "points replayed: {0}")
    @ValueSource(booleans = {false, true})
    void batchAndStreamingGiveTheReferenceCentroids(boolean replayed) throws Exception {
        double[][] points = uniformPoints(3_000);
        double[][] first = new double[KMeansData.CLUSTERS][];
        System.arraycopy(points, 0, first, 0, first.length);
        Centroids initial = new Centroids(first);
        Centroids expected = KMeansReference.centroids(points, initial, ROUNDS);
        // Uniform points keep the centroids moving, so a round that missed its points would show.
        Centroids afterOneRound = KMeansReference.centroids(points, initial, 1);
        assertThat(Math.abs(expected.checksum() - afterOneRound.checksum())).isGreaterThan(1e-3);

        for (RuntimeExecutionMode mode :
                List.of(RuntimeExecutionMode.BATCH, RuntimeExecutionMode.STREAMING)) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(PARALLELISM);
            env.setRuntimeMode(mode);
            DataStream<Centroids> start = env.fromData(initial);
            DataStream<double[]> input = env.fromData(points);
            DataStream<Centroids> result =
                    replayed
                            ? KMeans.centroidsWithReplayedPoints(start, input, ROUNDS)
                            : KMeans.centroids(start, input, ROUNDS);
            List<Centroids> emitted = new ArrayList<>();
            result.executeAndCollect().forEachRemaining(emitted::add);

            assertThat(emitted).as("%s mode", mode).hasSize(1);
            for (int i = 0; i < expected.values.length; i++) {
                for (int j = 0; j < expected.values[i].length; j++) {
                    assertThat(emitted.get(0).values[i][j])
                            .as("%s mode, centroid %d, coordinate %d", mode, i, j)
                            .isCloseTo(expected.values[i][j], within(1e-9));
                }
            }
        }
    }

    private static double[][] uniformPoints(int count) {
        Random random = new Random(11);
        double[][] points = new double[count][KMeansData.DIMENSIONS];
        for (double[] point : points) {
            for (int j = 0; j < point.length; j++) {
                point[j] = random.nextDouble();
            }
        }
        return points;
    }
}
