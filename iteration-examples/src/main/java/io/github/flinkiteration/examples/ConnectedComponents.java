package io.github.flinkiteration.examples;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.IterationRuntimeContext;
import io.github.flinkiteration.api.SolutionSet;
import io.github.flinkiteration.api.SolutionSetJoinFunction;
import java.util.Locale;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

/**
 * Connected components as a delta iteration: every vertex ends with the smallest vertex id of its
 * component. The solution set holds a {@link ComponentVertex} (id, label, neighbours) per vertex;
 * the workset holds candidate labels (vertex, label). In round 0 every vertex tells its neighbours
 * its own id; later, a vertex whose label a candidate lowers stores it and tells its neighbours.
 * Only changed vertices send, so the workset shrinks, and the iteration ends after the round in
 * which no label changed. Before a round's candidates go back, each subtask keeps only the smallest
 * per vertex ({@link MinPerTarget}): only that one can change the vertex.
 *
 * <p>Run it on an embedded MiniCluster with {@code --vertices N --edges M [--parallelism P]}; it
 * prints the number of components and the sum of the labels (the checksum of W6 in {@code
 * shared/BENCHMARKS.md}).
 */
public final class ConnectedComponents {

    static final TypeInformation<ComponentVertex> VERTEX =
            TypeInformation.of(ComponentVertex.class);
    static final TypeInformation<Tuple2<Integer, Integer>> LABEL =
            Types.TUPLE(Types.INT, Types.INT);

    private ConnectedComponents() {}

    /** (vertex, component label) of every vertex of the graph, edges taken as undirected. */
    public static DataStream<Tuple2<Integer, Integer>> components(
            DataStream<Long> edges, int vertices) {
        DataStream<ComponentVertex> initial =
                Adjacency.undirected(edges, vertices)
                        .map(a -> new ComponentVertex(a.f0, a.f0, a.f1))
                        .returns(VERTEX)
                        .name("initial labels");
        DataStream<Tuple2<Integer, Integer>> ownIds =
                initial.map(v -> Tuple2.of(v.vertex, v.vertex)).returns(LABEL).name("own ids");
        return new BoundedIteration()
                .name("connected-components")
                .bindSolutionSet("labels", initial, v -> v.vertex)
                .bindVariable("candidates", ownIds)
                .withBody(
                        (inputs, context) -> {
                            SolutionSet<Integer, ComponentVertex> labels =
                                    context.solutionSet("labels");
                            DataStream<Tuple2<Integer, Integer>> sent =
                                    labels.join(
                                                    inputs.get("candidates"),
                                                    c -> c.f0,
                                                    new SmallerLabel(),
                                                    LABEL)
                                            .process(new MinPerTarget())
                                            .returns(LABEL)
                                            .name("smallest candidate per vertex");
                            return IterationDeclaration.builder()
                                    .withFeedback("candidates", sent)
                                    .withOutput(
                                            "labels",
                                            labels.finalValues()
                                                    .map(v -> Tuple2.of(v.vertex, v.label))
                                                    .returns(LABEL))
                                    .build();
                        })
                .apply()
                .get("labels");
    }

    public static void main(String[] args) throws Exception {
        int vertices = Arguments.intValue(args, "--vertices", 100_000);
        int edges = Arguments.intValue(args, "--edges", 100_000);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Arguments.applyParallelism(args, env);
        long components = 0;
        long labelSum = 0;
        try (CloseableIterator<Tuple2<Integer, Integer>> labels =
                components(Graphs.edges(env, vertices, edges), vertices).collectAsync()) {
            JobExecutionResult result = env.execute("connected-components");
            while (labels.hasNext()) {
                Tuple2<Integer, Integer> label = labels.next();
                components += label.f0.equals(label.f1) ? 1 : 0;
                labelSum += label.f1;
            }
            System.out.printf(
                    Locale.ROOT,
                    "Components of G(%d, %d): %d components, label sum %d, %d ms%n",
                    vertices,
                    edges,
                    components,
                    labelSum,
                    result.getNetRuntime());
        }
    }

    /**
     * Round 0: a vertex tells its neighbours its label. Later: a smaller candidate becomes the
     * vertex's label and goes to its neighbours.
     */
    static final class SmallerLabel
            implements SolutionSetJoinFunction<
                    Tuple2<Integer, Integer>, ComponentVertex, Tuple2<Integer, Integer>> {
        private static final long serialVersionUID = 1L;

        @Override
        public void join(
                Tuple2<Integer, Integer> candidate,
                ComponentVertex vertex,
                Context<ComponentVertex> context,
                Collector<Tuple2<Integer, Integer>> out) {
            if (vertex == null) {
                throw new IllegalStateException(
                        "Candidate " + candidate + " for a vertex that is not in the graph");
            }
            int label;
            if (IterationRuntimeContext.currentRound() == 0) {
                label = vertex.label;
            } else if (candidate.f1 < vertex.label) {
                label = candidate.f1;
                vertex.label = label;
                context.update(vertex);
            } else {
                return;
            }
            for (int neighbour : vertex.neighbours) {
                if (label < neighbour) { // a neighbour with a smaller id keeps its own label
                    out.collect(Tuple2.of(neighbour, label));
                }
            }
        }
    }
}
