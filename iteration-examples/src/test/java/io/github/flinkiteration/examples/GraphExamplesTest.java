package io.github.flinkiteration.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The delta-iteration examples at parallelism 4 equal their plain-Java references exactly:
 * component labels against union-find, distances against Dijkstra, on generated graphs.
 */
class GraphExamplesTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = ExamplesCluster.extension();

    @Test
    void componentLabelsEqualUnionFind() throws Exception {
        int vertices = 6_000;
        int edges = 5_000;
        StreamExecutionEnvironment env = parallelism4();
        List<Tuple2<Integer, Integer>> labels =
                collect(
                        ConnectedComponents.components(
                                Graphs.edges(env, vertices, edges), vertices));

        int[] expected =
                GraphReferences.componentLabels(vertices, Graphs.edgeArray(vertices, edges));
        assertThat(labels).hasSize(vertices);
        int[] actual = new int[vertices];
        for (Tuple2<Integer, Integer> label : labels) {
            actual[label.f0] = label.f1;
        }
        assertThat(firstDifference(actual, expected))
                .as("first vertex whose label differs")
                .isEqualTo(-1);
        long[] checksum = GraphReferences.componentChecksum(expected);
        assertThat(checksum[0]).as("components").isBetween(2L, (long) vertices - 1);
    }

    @Test
    void distancesEqualDijkstra() throws Exception {
        int vertices = 3_000;
        int edges = 7_000;
        int source = 17;
        StreamExecutionEnvironment env = parallelism4();
        List<Tuple2<Integer, Double>> distances =
                collect(ShortestPaths.distances(env, vertices, edges, source));

        double[] expected =
                GraphReferences.distances(vertices, Graphs.edgeArray(vertices, edges), source);
        assertThat(distances).hasSize(vertices);
        double[] actual = new double[vertices];
        for (Tuple2<Integer, Double> distance : distances) {
            actual[distance.f0] = distance.f1;
        }
        assertThat(firstDifference(actual, expected))
                .as("first vertex whose distance differs")
                .isEqualTo(-1);
        long unreachable =
                java.util.Arrays.stream(expected)
                        .filter(d -> d == Double.POSITIVE_INFINITY)
                        .count();
        assertThat(unreachable).as("unreachable vertices").isBetween(1L, (long) vertices / 2);
    }

    private static int firstDifference(int[] actual, int[] expected) {
        for (int v = 0; v < expected.length; v++) {
            if (actual[v] != expected[v]) {
                return v;
            }
        }
        return -1;
    }

    private static int firstDifference(double[] actual, double[] expected) {
        for (int v = 0; v < expected.length; v++) {
            if (Double.compare(actual[v], expected[v]) != 0) {
                return v;
            }
        }
        return -1;
    }

    private static StreamExecutionEnvironment parallelism4() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(4);
        return env;
    }

    private static <T> List<T> collect(DataStream<T> stream) throws Exception {
        List<T> result = new ArrayList<>();
        try (CloseableIterator<T> it = stream.executeAndCollect()) {
            it.forEachRemaining(result::add);
        }
        return result;
    }
}
