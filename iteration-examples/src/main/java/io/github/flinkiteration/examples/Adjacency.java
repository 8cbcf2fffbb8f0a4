package io.github.flinkiteration.examples;

import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.GlobalWindows;
import org.apache.flink.streaming.api.windowing.windows.GlobalWindow;
import org.apache.flink.util.Collector;

/**
 * Adjacency lists of the generated graphs, built before the graph examples' iterations start: every
 * vertex {@code 0 .. n - 1} once, with its neighbours (or out-edges and their weights).
 */
final class Adjacency {

    static final TypeInformation<Tuple2<Integer, int[]>> NEIGHBOURS =
            TypeInformation.of(new TypeHint<Tuple2<Integer, int[]>>() {});
    static final TypeInformation<Tuple3<Integer, int[], double[]>> WEIGHTED =
            TypeInformation.of(new TypeHint<Tuple3<Integer, int[], double[]>>() {});

    /** A vertex with no neighbour still needs an entry: it marks itself with this. */
    private static final int NONE = -1;

    private Adjacency() {}

    /** (vertex, neighbours) with each edge in both directions. */
    static DataStream<Tuple2<Integer, int[]>> undirected(DataStream<Long> edges, int vertices) {
        DataStream<Tuple2<Integer, Integer>> halves =
                edges.<Tuple2<Integer, Integer>>flatMap(
                                (edge, out) -> {
                                    out.collect(
                                            Tuple2.of(Graphs.source(edge), Graphs.target(edge)));
                                    out.collect(
                                            Tuple2.of(Graphs.target(edge), Graphs.source(edge)));
                                })
                        .returns(Types.TUPLE(Types.INT, Types.INT));
        DataStream<Tuple2<Integer, Integer>> all =
                halves.union(
                        everyVertex(edges, vertices)
                                .map(v -> Tuple2.of(v, NONE))
                                .returns(Types.TUPLE(Types.INT, Types.INT)));
        return all.keyBy(h -> h.f0)
                .window(GlobalWindows.createWithEndOfStreamTrigger())
                .process(new CollectNeighbours())
                .returns(NEIGHBOURS)
                .name("adjacency");
    }

    /** (vertex, targets, weights) of the directed edges, edge i weighing {@link #weight}. */
    static DataStream<Tuple3<Integer, int[], double[]>> weighted(
            DataStream<Long> edgeIndices, int vertices) {
        DataStream<Tuple3<Integer, Integer, Double>> out =
                edgeIndices
                        .map(
                                i -> {
                                    long edge = Graphs.edge(i, vertices);
                                    return Tuple3.of(
                                            Graphs.source(edge), Graphs.target(edge), weight(i));
                                })
                        .returns(Types.TUPLE(Types.INT, Types.INT, Types.DOUBLE));
        DataStream<Tuple3<Integer, Integer, Double>> all =
                out.union(
                        everyVertex(edgeIndices, vertices)
                                .map(v -> Tuple3.of(v, NONE, 0.0))
                                .returns(Types.TUPLE(Types.INT, Types.INT, Types.DOUBLE)));
        return all.keyBy(e -> e.f0)
                .window(GlobalWindows.createWithEndOfStreamTrigger())
                .process(new CollectOutEdges())
                .returns(WEIGHTED)
                .name("weighted adjacency");
    }

    /** The weight of edge {@code i} in the shortest-paths example: 1 to 10. */
    static double weight(long i) {
        return 1 + Math.floorMod(i * 7919, 10);
    }

    private static DataStream<Integer> everyVertex(DataStream<Long> any, int vertices) {
        return any.getExecutionEnvironment()
                .fromSequence(0, vertices - 1)
                .map(Long::intValue)
                .name("vertices");
    }

    private static final class CollectNeighbours
            extends ProcessWindowFunction<
                    Tuple2<Integer, Integer>, Tuple2<Integer, int[]>, Integer, GlobalWindow> {
        private static final long serialVersionUID = 1L;

        @Override
        public void process(
                Integer vertex,
                Context context,
                Iterable<Tuple2<Integer, Integer>> halves,
                Collector<Tuple2<Integer, int[]>> out) {
            int[] neighbours = new int[8];
            int count = 0;
            for (Tuple2<Integer, Integer> half : halves) {
                if (half.f1 == NONE) {
                    continue;
                }
                if (count == neighbours.length) {
                    neighbours = Arrays.copyOf(neighbours, count * 2);
                }
                neighbours[count++] = half.f1;
            }
            out.collect(Tuple2.of(vertex, Arrays.copyOf(neighbours, count)));
        }
    }

    private static final class CollectOutEdges
            extends ProcessWindowFunction<
                    Tuple3<Integer, Integer, Double>,
                    Tuple3<Integer, int[], double[]>,
                    Integer,
                    GlobalWindow> {
        private static final long serialVersionUID = 1L;

        @Override
        public void process(
                Integer vertex,
                Context context,
                Iterable<Tuple3<Integer, Integer, Double>> edges,
                Collector<Tuple3<Integer, int[], double[]>> out) {
            int[] targets = new int[8];
            double[] weights = new double[8];
            int count = 0;
            for (Tuple3<Integer, Integer, Double> edge : edges) {
                if (edge.f1 == NONE) {
                    continue;
                }
                if (count == targets.length) {
                    targets = Arrays.copyOf(targets, count * 2);
                    weights = Arrays.copyOf(weights, count * 2);
                }
                targets[count] = edge.f1;
                weights[count++] = edge.f2;
            }
            out.collect(
                    Tuple3.of(
                            vertex, Arrays.copyOf(targets, count), Arrays.copyOf(weights, count)));
        }
    }
}
