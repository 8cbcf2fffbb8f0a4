package io.github.flinkiteration.examples;

import io.github.flinkiteration.api.Aggregators;
import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.api.IterationRuntimeContext;
import io.github.flinkiteration.api.TerminationCondition;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.co.CoProcessFunction;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * PageRank as a bounded iteration, the dangling mass through an aggregator. Vertex {@code v} lives
 * on subtask {@code v mod p}, which keeps the out-edges of its vertices (read once, in round 0) and
 * their ranks. At the end of each round a subtask sends every other subtask one array: the rank
 * that flows over its edges into each of the receiver's vertices. That array is the loop's
 * variable. The rank of the vertices without out-edges (the dangling mass {@code D}) would be lost;
 * each subtask adds its share to the aggregator {@code dangling}, and the next round spreads {@code
 * D / n} over every vertex: {@code rank'(v) = 0.15/n + 0.85 (sum of incoming rank + D/n)}.
 *
 * <p>Run it on an embedded MiniCluster with {@code --vertices N --edges M --rounds R [--parallelism
 * P]}; it prints the checksum of {@code shared/BENCHMARKS.md} (W7).
 */
public final class PageRank {

    static final double DAMPING = 0.85;
    static final double TELEPORT = 1 - DAMPING;
    static final String DANGLING = "dangling";

    private static final OutputTag<Tuple2<Integer, Double>> RANKS =
            new OutputTag<>("ranks", Types.TUPLE(Types.INT, Types.DOUBLE));

    private PageRank() {}

    /**
     * The ranks of the {@code vertices} vertices after {@code rounds} rounds over {@code edges}
     * (packed as in {@link Graphs}), as (vertex, rank), at the environment's parallelism.
     */
    public static DataStream<Tuple2<Integer, Double>> ranks(
            DataStream<Long> edges, int vertices, int rounds) {
        if (rounds < 1) {
            throw new IllegalArgumentException("PageRank needs at least one round, got " + rounds);
        }
        StreamExecutionEnvironment env = edges.getExecutionEnvironment();
        int parallelism = env.getParallelism();
        RankContributions[] kickOff = new RankContributions[parallelism];
        for (int i = 0; i < parallelism; i++) {
            kickOff[i] = new RankContributions(i, new double[0]);
        }
        TypeInformation<RankContributions> type = TypeInformation.of(RankContributions.class);
        DataStream<RankContributions> initial = env.fromData(Arrays.asList(kickOff), type);
        return new BoundedIteration()
                .name("pagerank")
                .bindVariable("contributions", initial)
                .bindData("edges", edges)
                .withBody(
                        (inputs, context) -> {
                            DataStream<RankContributions> contributions =
                                    inputs.get("contributions");
                            DataStream<Long> graph = inputs.get("edges");
                            // Round r: the ranks of round r - 1 arrive, the ranks of round r go.
                            SingleOutputStreamOperator<RankContributions> step =
                                    contributions
                                            .partitionCustom((target, p) -> target, c -> c.target)
                                            .connect(
                                                    graph.partitionCustom(
                                                            (source, p) -> source % p,
                                                            Graphs::source))
                                            .process(new RankStep(vertices, rounds))
                                            .returns(type)
                                            .name("rank step")
                                            .setParallelism(parallelism);
                            return IterationDeclaration.builder()
                                    .withAggregator(DANGLING, Aggregators.doubleSum())
                                    .withFeedback("contributions", step)
                                    .withOutput("ranks", step.getSideOutput(RANKS))
                                    .until(TerminationCondition.maxRounds(rounds + 1))
                                    .build();
                        })
                .apply()
                .get("ranks");
    }

    public static void main(String[] args) throws Exception {
        int vertices = Arguments.intValue(args, "--vertices", 100_000);
        int edges = Arguments.intValue(args, "--edges", 400_000);
        int rounds = Arguments.intValue(args, "--rounds", 20);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Arguments.applyParallelism(args, env);
        DataStream<Tuple2<Integer, Double>> ranks =
                ranks(Graphs.edges(env, vertices, edges), vertices, rounds);
        double checksum = 0;
        try (CloseableIterator<Tuple2<Integer, Double>> collected = ranks.collectAsync()) {
            JobExecutionResult result = env.execute("pagerank");
            while (collected.hasNext()) {
                Tuple2<Integer, Double> rank = collected.next();
                checksum += rank.f1 * (rank.f0 % 1000);
            }
            System.out.printf(
                    Locale.ROOT,
                    "PageRank of G(%d, %d), %d rounds: checksum %.11f, %d ms%n",
                    vertices,
                    edges,
                    rounds,
                    checksum,
                    result.getNetRuntime());
        }
    }

    /**
     * One subtask's vertices: their out-edges, out-degrees and ranks. Round 0 collects the edges;
     * the end of each round {@code r} computes the ranks of round {@code r} and sends what flows
     * over the edges; the end of the iteration emits the ranks.
     */
    static final class RankStep
            extends CoProcessFunction<RankContributions, Long, RankContributions>
            implements IterationListener<RankContributions>, CheckpointedFunction {

        private static final long serialVersionUID = 1L;

        private final int vertices;
        private final int rounds;

        private int parallelism;
        private int subtask;
        private long[] edges = new long[1024];
        private int edgeCount;
        private int[] outDegree;
        private double[] rank;
        private double[] incoming;

        private transient ListState<long[]> storedEdges;
        private transient ListState<double[]> storedRanks;

        RankStep(int vertices, int rounds) {
            this.vertices = vertices;
            this.rounds = rounds;
        }

        private int localVertices(int ofSubtask) {
            return (vertices - ofSubtask + parallelism - 1) / parallelism;
        }

        @Override
        public void processElement1(
                RankContributions contributions,
                CoProcessFunction<RankContributions, Long, RankContributions>.Context ctx,
                Collector<RankContributions> out) {
            double[] sums = contributions.sums;
            if (sums.length == 0) {
                return; // the kick-off of round 0
            }
            for (int i = 0; i < sums.length; i++) {
                incoming[i] += sums[i];
            }
        }

        @Override
        public void processElement2(
                Long edge,
                CoProcessFunction<RankContributions, Long, RankContributions>.Context ctx,
                Collector<RankContributions> out) {
            if (edgeCount == edges.length) {
                edges = Arrays.copyOf(edges, edgeCount * 2);
            }
            edges[edgeCount++] = edge;
        }

        @Override
        public void onRoundEnd(
                int round, IterationListener.Context context, Collector<RankContributions> out) {
            if (round == 0) {
                edges = Arrays.copyOf(edges, edgeCount);
                countOutDegrees();
                rank = new double[localVertices(subtask)];
                Arrays.fill(rank, 1.0 / vertices);
            } else {
                double dangling = IterationRuntimeContext.<Double>previousAggregate(DANGLING);
                double base = TELEPORT / vertices + DAMPING * dangling / vertices;
                for (int i = 0; i < rank.length; i++) {
                    rank[i] = base + DAMPING * incoming[i];
                }
            }
            Arrays.fill(incoming, 0);
            if (round < rounds) {
                send(out);
            }
        }

        /** Sends each subtask the rank flowing into its vertices; adds the dangling rank. */
        private void send(Collector<RankContributions> out) {
            double[] share = new double[rank.length];
            double dangling = 0;
            for (int i = 0; i < rank.length; i++) {
                if (outDegree[i] == 0) {
                    dangling += rank[i];
                } else {
                    share[i] = rank[i] / outDegree[i];
                }
            }
            IterationRuntimeContext.<Double>aggregator(DANGLING).add(dangling);
            double[][] sums = new double[parallelism][];
            for (int t = 0; t < parallelism; t++) {
                sums[t] = new double[localVertices(t)];
            }
            for (int e = 0; e < edgeCount; e++) {
                long edge = edges[e];
                int to = Graphs.target(edge);
                sums[to % parallelism][to / parallelism] +=
                        share[Graphs.source(edge) / parallelism];
            }
            for (int t = 0; t < parallelism; t++) {
                out.collect(new RankContributions(t, sums[t]));
            }
        }

        private void countOutDegrees() {
            outDegree = new int[localVertices(subtask)];
            for (int e = 0; e < edgeCount; e++) {
                outDegree[Graphs.source(edges[e]) / parallelism]++;
            }
        }

        @Override
        public void onIterationTerminated(
                IterationListener.Context context, Collector<RankContributions> out) {
            for (int i = 0; i < rank.length; i++) {
                context.output(RANKS, Tuple2.of(i * parallelism + subtask, rank[i]));
            }
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            storedEdges.update(List.of(Arrays.copyOf(edges, edgeCount)));
            storedRanks.update(rank == null ? List.of(incoming) : List.of(incoming, rank));
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
            subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
            incoming = new double[localVertices(subtask)];
            storedEdges =
                    context.getOperatorStateStore()
                            .getListState(new ListStateDescriptor<>("edges", long[].class));
            storedRanks =
                    context.getOperatorStateStore()
                            .getListState(new ListStateDescriptor<>("ranks", double[].class));
            for (long[] restored : storedEdges.get()) {
                edges = restored.length == 0 ? new long[1024] : restored;
                edgeCount = restored.length;
            }
            int i = 0;
            for (double[] restored : storedRanks.get()) {
                if (i++ == 0) {
                    incoming = restored;
                } else {
                    rank = restored;
                    countOutDegrees();
                }
            }
        }
    }
}
