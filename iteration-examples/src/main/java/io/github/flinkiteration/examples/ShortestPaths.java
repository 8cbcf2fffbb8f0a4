package io.github.flinkiteration.examples;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.SolutionSet;
import io.github.flinkiteration.api.SolutionSetJoinFunction;
import java.util.Locale;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

/**
 * Single-source shortest paths as a delta iteration, on the generated graph with directed edges,
 * edge {@code i} weighing {@code 1 + (7919 i mod 10)}. The solution set holds (vertex, distance,
 * targets, weights) keyed by vertex, every distance at first infinite; the workset holds candidate
 * distances (vertex, distance), at first only (source, 0). A candidate shorter than the vertex's
 * distance replaces it and is extended along the vertex's out-edges. The iteration ends after the
 * round in which no distance got shorter; unreachable vertices keep {@code Infinity}.
 *
 * <p>Run it on an embedded MiniCluster with {@code --vertices N --edges M [--source S]
 * [--parallelism P]}.
 */
public final class ShortestPaths {

    static final TypeInformation<Tuple4<Integer, Double, int[], double[]>> VERTEX =
            TypeInformation.of(new TypeHint<Tuple4<Integer, Double, int[], double[]>>() {});
    static final TypeInformation<Tuple2<Integer, Double>> DISTANCE =
            Types.TUPLE(Types.INT, Types.DOUBLE);

    private ShortestPaths() {}

    /** (vertex, distance from {@code source}) of every vertex of G(vertices, edges). */
    public static DataStream<Tuple2<Integer, Double>> distances(
            StreamExecutionEnvironment env, int vertices, long edges, int source) {
        DataStream<Tuple4<Integer, Double, int[], double[]>> initial =
                Adjacency.weighted(env.fromSequence(0, edges - 1), vertices)
                        .map(a -> Tuple4.of(a.f0, Double.POSITIVE_INFINITY, a.f1, a.f2))
                        .returns(VERTEX)
                        .name("initial distances");
        DataStream<Tuple2<Integer, Double>> start =
                env.fromData(Tuple2.of(source, 0.0)).returns(DISTANCE);
        return new BoundedIteration()
                .name("shortest-paths")
                .bindSolutionSet("distances", initial, v -> v.f0)
                .bindVariable("candidates", start)
                .withBody(
                        (inputs, context) -> {
                            SolutionSet<Integer, Tuple4<Integer, Double, int[], double[]>>
                                    distances = context.solutionSet("distances");
                            DataStream<Tuple2<Integer, Double>> extended =
                                    distances.join(
                                            inputs.get("candidates"),
                                            c -> c.f0,
                                            new ShorterDistance(),
                                            DISTANCE);
                            return IterationDeclaration.builder()
                                    .withFeedback("candidates", extended)
                                    .withOutput(
                                            "distances",
                                            distances
                                                    .finalValues()
                                                    .map(v -> Tuple2.of(v.f0, v.f1))
                                                    .returns(DISTANCE))
                                    .build();
                        })
                .apply()
                .get("distances");
    }

    public static void main(String[] args) throws Exception {
        int vertices = Arguments.intValue(args, "--vertices", 100_000);
        int edges = Arguments.intValue(args, "--edges", 400_000);
        int source = Arguments.intValue(args, "--source", 0);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Arguments.applyParallelism(args, env);
        long reached = 0;
        double sum = 0;
        try (CloseableIterator<Tuple2<Integer, Double>> distances =
                distances(env, vertices, edges, source).collectAsync()) {
            JobExecutionResult result = env.execute("shortest-paths");
            while (distances.hasNext()) {
                double distance = distances.next().f1;
                if (distance != Double.POSITIVE_INFINITY) {
                    reached++;
                    sum += distance;
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "Shortest paths from %d in G(%d, %d): %d vertices reached, distance sum %.1f,"
                            + " %d ms%n",
                    source,
                    vertices,
                    edges,
                    reached,
                    sum,
                    result.getNetRuntime());
        }
    }

    /** A shorter candidate becomes the distance and goes on along every out-edge. */
    static final class ShorterDistance
            implements SolutionSetJoinFunction<
                    Tuple2<Integer, Double>,
                    Tuple4<Integer, Double, int[], double[]>,
                    Tuple2<Integer, Double>> {
        private static final long serialVersionUID = 1L;

        @Override
        public void join(
                Tuple2<Integer, Double> candidate,
                Tuple4<Integer, Double, int[], double[]> vertex,
                Context<Tuple4<Integer, Double, int[], double[]>> context,
                Collector<Tuple2<Integer, Double>> out) {
            if (vertex == null) {
                throw new IllegalStateException(
                        "Candidate " + candidate + " for a vertex that is not in the graph");
            }
            if (candidate.f1 >= vertex.f1) {
                return;
            }
            vertex.f1 = candidate.f1;
            context.update(vertex);
            for (int e = 0; e < vertex.f2.length; e++) {
                out.collect(Tuple2.of(vertex.f2[e], candidate.f1 + vertex.f3[e]));
            }
        }
    }
}
