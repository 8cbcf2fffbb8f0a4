package io.github.flinkiteration.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** K-means on the benchmark data equals a plain-Java Lloyd's algorithm on the same data. */
class KMeansTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = ExamplesCluster.extension();

    private static final int ROUNDS = 20;

    /** The checksum ../shared/BENCHMARKS.md gives for W2 after 20 rounds. */
    private static final double BENCHMARK_CHECKSUM = 26.897767;

    @ParameterizedTest(name = "parallelism {0}")
    @ValueSource(ints = {2, 4})
    void twentyRoundsEqualThePlainJavaReference(int parallelism) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        DataStream<Centroids> result =
                KMeans.centroids(
                        env.fromData(KMeansData.initialCentroids()),
                        KMeans.points(env, KMeansData.DEFAULT_POINTS),
                        ROUNDS);
        List<Centroids> emitted = new ArrayList<>();
        result.executeAndCollect().forEachRemaining(emitted::add);

        assertThat(emitted).hasSize(1);
        Centroids actual = emitted.get(0);
        Centroids expected = KMeansReference.centroids(KMeansData.DEFAULT_POINTS, ROUNDS);
        for (int i = 0; i < expected.values.length; i++) {
            for (int j = 0; j < expected.values[i].length; j++) {
                assertThat(actual.values[i][j]).isCloseTo(expected.values[i][j], within(1e-9));
            }
        }
        assertThat(actual.checksum()).isCloseTo(BENCHMARK_CHECKSUM, within(1e-6));
    }

    /**
     * On uniform points Lloyd's algorithm keeps moving for many rounds (unlike the benchmark's
     * blobs, which settle after one), so a round that missed its points would show.
     */
    @ParameterizedTest(name = "parallelism {0}")
    @ValueSource(ints = {2, 4})
    void replayedPointsGiveTheSameCentroidsAsCachedOnes(int parallelism) throws Exception {
        int rounds = 8;
        double[][] points = uniformPoints(3_000);
        double[][] first = new double[KMeansData.CLUSTERS][];
        System.arraycopy(points, 0, first, 0, first.length);
        Centroids initial = new Centroids(first);
        Centroids expected = KMeansReference.centroids(points, initial, rounds);
        Centroids afterOneRound = KMeansReference.centroids(points, initial, 1);
        assertThat(Math.abs(expected.checksum() - afterOneRound.checksum()))
                .as("the data keeps the centroids moving")
                .isGreaterThan(1e-3);

        for (boolean replayed : new boolean[] {false, true}) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(parallelism);
            DataStream<Centroids> start = env.fromData(initial);
            DataStream<double[]> input = env.fromData(points);
            DataStream<Centroids> result =
                    replayed
                            ? KMeans.centroidsWithReplayedPoints(start, input, rounds)
                            : KMeans.centroids(start, input, rounds);
            List<Centroids> emitted = new ArrayList<>();
            result.executeAndCollect().forEachRemaining(emitted::add);
            assertThat(emitted).hasSize(1);
            for (int i = 0; i < expected.values.length; i++) {
                for (int j = 0; j < expected.values[i].length; j++) {
                    assertThat(emitted.get(0).values[i][j])
                            .as("replayed %s, centroid %d, coordinate %d", replayed, i, j)
                            .isCloseTo(expected.values[i][j], within(1e-9));
                }
            }
        }
    }

    private static double[][] uniformPoints(int count) {
        java.util.Random random = new java.util.Random(7);
        double[][] points = new double[count][KMeansData.DIMENSIONS];
        for (double[] point : points) {
            for (int j = 0; j < point.length; j++) {
                point[j] = random.nextDouble();
            }
        }
        return points;
    }
}
