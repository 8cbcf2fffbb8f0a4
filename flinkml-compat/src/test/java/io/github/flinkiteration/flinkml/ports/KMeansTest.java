package io.github.flinkiteration.flinkml.ports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.flinkiteration.examples.Centroids;
import io.github.flinkiteration.examples.KMeansData;
import io.github.flinkiteration.examples.KMeansReference;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The port of flink-ml's k-means gives, at parallelism 4, the centroids and cluster sizes of
 * Lloyd's algorithm in plain Java on the benchmark's data (BENCHMARKS.md: blobs of seed 42, the
 * first ten points as initial centroids).
 */
class KMeansTest {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(2)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final int POINTS = 20_000;
    private static final int MAX_ITER = 10;

    /**
     * Coordinates are means of about 2,000 points of magnitude ≤ 15, summed in another order than
     * the reference's (per subtask, then merged): the sums differ in the last bits only (2.5e-14 at
     * most when measured). Assignments are exact unless a point lies within that distance of a
     * boundary, which the equal cluster sizes rule out.
     */
    private static final double TOLERANCE = 1e-9;

    @Test
    void fitGivesTheCentroidsAndSizesOfPlainLloyd() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(4);
        DataStream<DenseVector> points =
                env.fromSequence(0, POINTS - 1)
                        .map(i -> new DenseVector(KMeansData.point(i)), KMeans.VECTOR)
                        .name("points");
        DataStream<DenseVector[]> initial =
                env.fromSequence(0, 0)
                        .setParallelism(1)
                        .map(ignored -> initialCentroids(), KMeans.VECTORS)
                        .setParallelism(1)
                        .name("initial centroids");

        List<KMeansModelData> models = new ArrayList<>();
        KMeans.fit(points, initial, MAX_ITER).executeAndCollect().forEachRemaining(models::add);

        Centroids expected = KMeansReference.centroids(POINTS, MAX_ITER);
        assertThat(models).hasSize(1);
        KMeansModelData model = models.get(0);
        assertThat(model.centroids).hasSameSizeAs(expected.values);
        for (int i = 0; i < expected.values.length; i++) {
            assertThat(model.centroids[i].values)
                    .as("centroid %d", i)
                    .containsExactly(expected.values[i], within(TOLERANCE));
        }
        assertThat(model.weights.values).containsExactly(expectedSizes());
    }

    @Test
    void theModelLabelsPointsThroughABroadcastVariableAsPlainJavaDoes() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(4);
        DataStream<DenseVector> points =
                env.fromSequence(0, POINTS - 1)
                        .map(i -> new DenseVector(KMeansData.point(i)), KMeans.VECTOR);
        DataStream<DenseVector[]> initial =
                env.fromSequence(0, 0)
                        .setParallelism(1)
                        .map(ignored -> initialCentroids(), KMeans.VECTORS)
                        .setParallelism(1);
        DataStream<Tuple2<Long, DenseVector>> toLabel =
                env.fromSequence(0, POINTS - 1)
                        .map(
                                i -> Tuple2.of(i, new DenseVector(KMeansData.point(i))),
                                Types.TUPLE(Types.LONG, KMeans.VECTOR));

        List<Tuple2<Long, Integer>> labels = new ArrayList<>();
        KMeansModel.transform(toLabel, KMeans.fit(points, initial, MAX_ITER))
                .executeAndCollect()
                .forEachRemaining(labels::add);

        Centroids model = KMeansReference.centroids(POINTS, MAX_ITER);
        List<Tuple2<Long, Integer>> expected = new ArrayList<>();
        for (long i = 0; i < POINTS; i++) {
            expected.add(Tuple2.of(i, model.nearest(KMeansData.point(i))));
        }
        assertThat(labels).containsExactlyInAnyOrderElementsOf(expected);
    }

    /** The cluster sizes of the last epoch: the points nearest to each centroid before it. */
    private static double[] expectedSizes() {
        Centroids beforeLast = KMeansReference.centroids(POINTS, MAX_ITER - 1);
        double[] sizes = new double[beforeLast.values.length];
        for (int i = 0; i < POINTS; i++) {
            sizes[beforeLast.nearest(KMeansData.point(i))]++;
        }
        return sizes;
    }

    private static DenseVector[] initialCentroids() {
        double[][] values = KMeansData.initialCentroids().values;
        DenseVector[] centroids = new DenseVector[values.length];
        for (int i = 0; i < values.length; i++) {
            centroids[i] = new DenseVector(values[i]);
        }
        return centroids;
    }
}
