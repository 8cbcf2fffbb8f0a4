package io.github.flinkiteration.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PageRank at parallelism 4 equals the plain-Java reference on the same generated graph, vertex by
 * vertex within 1e-9 relative. The graph has many vertices without out-edges, so the dangling mass
 * (carried by an aggregator) matters: without it the ranks would not sum to one.
 */
class PageRankTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = ExamplesCluster.extension();

    @Test
    void ranksEqualThePlainJavaReference() throws Exception {
        int vertices = 3_000;
        int edges = 4_500;
        int rounds = 20;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(4);
        List<Tuple2<Integer, Double>> ranks = new ArrayList<>();
        try (CloseableIterator<Tuple2<Integer, Double>> it =
                PageRank.ranks(Graphs.edges(env, vertices, edges), vertices, rounds)
                        .executeAndCollect()) {
            it.forEachRemaining(ranks::add);
        }

        double[] expected =
                PageRankReference.ranks(vertices, Graphs.edgeArray(vertices, edges), rounds);
        assertThat(ranks).hasSize(vertices);
        double[] actual = new double[vertices];
        for (Tuple2<Integer, Double> rank : ranks) {
            actual[rank.f0] = rank.f1;
        }
        int dangling = 0;
        int[] outDegree = new int[vertices];
        for (long edge : Graphs.edgeArray(vertices, edges)) {
            outDegree[Graphs.source(edge)]++;
        }
        for (int v = 0; v < vertices; v++) {
            dangling += outDegree[v] == 0 ? 1 : 0;
            assertThat(actual[v])
                    .as("rank of vertex %d", v)
                    .isCloseTo(expected[v], org.assertj.core.data.Percentage.withPercentage(1e-7));
        }
        assertThat(dangling).as("vertices without out-edges").isGreaterThan(vertices / 10);
        assertThat(PageRankReference.checksum(actual))
                .isCloseTo(
                        PageRankReference.checksum(expected),
                        org.assertj.core.data.Percentage.withPercentage(1e-7));
        double total = 0;
        for (double rank : actual) {
            total += rank;
        }
        assertThat(total).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    }
}
