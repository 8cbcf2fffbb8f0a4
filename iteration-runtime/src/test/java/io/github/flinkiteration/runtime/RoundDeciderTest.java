package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.TerminationCondition;
import io.github.flinkiteration.api.UnboundedIteration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Lock-step iterations without termination checks or constants decide their rounds in the data
 * plane: a round decider per head subtask, co-located with it, hears every tail's round summary.
 * The bodies here hear round ends ({@link HearsRoundEnds}), which keeps their rounds held; a body
 * that cannot observe rounds lets them flow and has the coordinator decide ({@code
 * FreeFlowRoundsTest}).
 */
class RoundDeciderTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    private static final String DECIDER = "Iteration round decider";

    @Test
    void boundedIterationWithARoundLimitGetsADeciderNextToEachHead() {
        StreamExecutionEnvironment env = TestCluster.env(2);
        countingLoop(env, x -> TerminationCondition.maxRounds(5));

        JobGraph graph = env.getStreamGraph(false).getJobGraph();
        JobVertex head = vertexNamed(graph, "Iteration head [x]");
        JobVertex decider = vertexNamed(graph, DECIDER + " [x]");
        assertThat(decider).isNotSameAs(head);
        assertThat(decider.getParallelism()).isEqualTo(head.getParallelism());
        assertThat(decider.getCoLocationGroup()).isNotNull();
        assertThat(decider.getCoLocationGroup()).isSameAs(head.getCoLocationGroup());
    }

    /**
     * A lone head (one variable at parallelism 1) decides its rounds itself, but gets a decider all
     * the same: the same job must restore a snapshot taken at parallelism 2, which holds deciders'
     * state, and run when a scheduler gives it more parallelism.
     */
    @Test
    void aLoneHeadGetsADeciderSoThatItsGraphIsTheSameAtAnyParallelism() {
        StreamExecutionEnvironment env = TestCluster.env(1);
        countingLoop(env, x -> TerminationCondition.maxRounds(5));

        JobGraph graph = env.getStreamGraph(false).getJobGraph();
        JobVertex head = vertexNamed(graph, "Iteration head [x]");
        JobVertex decider = vertexNamed(graph, DECIDER + " [x]");
        assertThat(head.getParallelism()).isEqualTo(1);
        assertThat(decider.getParallelism()).isEqualTo(1);
        assertThat(decider.getCoLocationGroup()).isSameAs(head.getCoLocationGroup());
    }

    /** With a termination check, a constant or no lock-step the coordinator decides. */
    @Test
    void iterationsDecidedElsewhereGetNoDecider() {
        // Nothing in this body observes a round: its rounds flow freely.
        StreamExecutionEnvironment freeFlow = TestCluster.env(2);
        new BoundedIteration()
                .bindVariable("x", freeFlow.fromData(0))
                .withBody(
                        (inputs, context) ->
                                IterationDeclaration.builder()
                                        .withFeedback("x", inputs.<Integer>get("x").map(v -> v + 1))
                                        .until(TerminationCondition.maxRounds(3))
                                        .build())
                .apply();
        assertThat(hasDecider(freeFlow)).isFalse();

        StreamExecutionEnvironment withCheck = TestCluster.env(2);
        countingLoop(
                withCheck,
                x ->
                        TerminationCondition.maxRounds(5)
                                .or(TerminationCondition.whenEmpty(x.filter(v -> v < 3))));
        assertThat(hasDecider(withCheck)).isFalse();

        StreamExecutionEnvironment withConstant = TestCluster.env(2);
        new BoundedIteration()
                .bindVariable("x", withConstant.fromData(0))
                .bindConstant("c", withConstant.fromData(1, 2, 3))
                .withBody(
                        (inputs, context) ->
                                IterationDeclaration.builder()
                                        .withFeedback("x", inputs.<Integer>get("x"))
                                        .withOutput("c", inputs.<Integer>get("c"))
                                        .until(TerminationCondition.maxRounds(3))
                                        .build())
                .apply();
        assertThat(hasDecider(withConstant)).isFalse();

        StreamExecutionEnvironment unbounded = TestCluster.env(2);
        new UnboundedIteration()
                .bindVariable("x", unbounded.fromData(3))
                .withBody(
                        (inputs, context) ->
                                IterationDeclaration.builder()
                                        .withFeedback(
                                                "x",
                                                inputs.<Integer>get("x")
                                                        .map(v -> v - 1)
                                                        .filter(v -> v > 0))
                                        .build())
                .apply();
        assertThat(hasDecider(unbounded)).isFalse();
    }

    /**
     * Two variables of different parallelism whose feedback runs out in different rounds: a round
     * is decided only once every tail subtask of both has summarized it, and the iteration stops
     * after the first round in which neither fed anything back, with every value of every round
     * seen.
     */
    @Test
    void variablesOfDifferentParallelismStopTogetherWhenAllFeedbackRunsOut() throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(3);
        List<Integer> shortWalks = IntStream.range(0, 40).map(i -> i % 4).boxed().toList();
        List<Integer> longWalks = IntStream.range(0, 30).map(i -> 3 + i % 7).boxed().toList();
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable(
                                "a",
                                env.fromData(shortWalks).rebalance().map(v -> v).setParallelism(2))
                        .bindVariable(
                                "b",
                                env.fromData(longWalks).rebalance().map(v -> v).setParallelism(3))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> a = inputs.get("a");
                                    DataStream<Integer> b = inputs.get("b");
                                    return IterationDeclaration.builder()
                                            .withFeedback(
                                                    "a",
                                                    a.map(new HearsRoundEnds<Integer>())
                                                            .setParallelism(2)
                                                            .map(v -> v - 1)
                                                            .setParallelism(2)
                                                            .filter(v -> v > 0)
                                                            .setParallelism(2))
                                            .withFeedback(
                                                    "b",
                                                    b.map(new HearsRoundEnds<Integer>())
                                                            .setParallelism(3)
                                                            .map(v -> v - 1)
                                                            .setParallelism(3)
                                                            .filter(v -> v > 0)
                                                            .setParallelism(3))
                                            .withOutput("a", tag(a))
                                            .withOutput("b", tag(b))
                                            .build();
                                })
                        .apply();
        TestCluster.Collected<Tuple2<Integer, Integer>> seenA =
                TestCluster.collectLater(results.<Tuple2<Integer, Integer>>get("a"));
        TestCluster.Collected<Tuple2<Integer, Integer>> seenB =
                TestCluster.collectLater(results.<Tuple2<Integer, Integer>>get("b"));
        assertThat(
                        vertexNamed(env.getStreamGraph(false).getJobGraph(), DECIDER + " [b]")
                                .getParallelism())
                .isEqualTo(3);
        env.execute();
        List<Tuple2<Integer, Integer>> a = seenA.list();
        List<Tuple2<Integer, Integer>> b = seenB.list();

        assertThat(a).containsExactlyInAnyOrderElementsOf(walks(shortWalks));
        assertThat(b).containsExactlyInAnyOrderElementsOf(walks(longWalks));
        // a ran dry first, yet the rounds went on until b did: the decision is the iteration's.
        assertThat(maxRound(b)).isGreaterThan(maxRound(a));
    }

    /** (round, value) for every value of every round of a walk that counts down to 1. */
    private static List<Tuple2<Integer, Integer>> walks(List<Integer> starts) {
        List<Tuple2<Integer, Integer>> expected = new ArrayList<>();
        List<Integer> current = new ArrayList<>(starts);
        for (int round = 0; !current.isEmpty(); round++) {
            for (int v : current) {
                expected.add(Tuple2.of(round, v));
            }
            current =
                    current.stream()
                            .map(v -> v - 1)
                            .filter(v -> v > 0)
                            .collect(Collectors.toList());
        }
        return expected;
    }

    private static void countingLoop(
            StreamExecutionEnvironment env,
            Function<DataStream<Integer>, TerminationCondition> termination) {
        new BoundedIteration()
                .bindVariable("x", env.fromData(0, 1, 2, 3).rebalance().map(v -> v))
                .withBody(
                        (inputs, context) -> {
                            DataStream<Integer> x = inputs.get("x");
                            return IterationDeclaration.builder()
                                    .withFeedback(
                                            "x",
                                            x.map(new HearsRoundEnds<Integer>()).map(v -> v + 1))
                                    .until(termination.apply(x))
                                    .build();
                        })
                .apply();
    }

    private static DataStream<Tuple2<Integer, Integer>> tag(DataStream<Integer> x) {
        return x.process(new RoundTagger<>())
                .setParallelism(x.getParallelism())
                .returns(Types.TUPLE(Types.INT, Types.INT));
    }

    private static int maxRound(List<Tuple2<Integer, Integer>> seen) {
        return seen.stream().mapToInt(t -> t.f0).max().orElse(-1);
    }

    private static boolean hasDecider(StreamExecutionEnvironment env) {
        JobGraph graph = env.getStreamGraph(false).getJobGraph();
        assertThat(graph.getVerticesAsArray()).isNotEmpty();
        return Arrays.stream(graph.getVerticesAsArray())
                .anyMatch(vertex -> vertex.getName().contains(DECIDER));
    }

    private static JobVertex vertexNamed(JobGraph graph, String name) {
        for (JobVertex vertex : graph.getVertices()) {
            if (vertex.getName().contains(name)) {
                return vertex;
            }
        }
        throw new AssertionError("No job vertex contains " + name);
    }

    /** Passes records on; as a listener it keeps the body's rounds held. */
    static final class HearsRoundEnds<T> implements MapFunction<T, T>, IterationListener<T> {
        @Override
        public T map(T value) {
            return value;
        }

        @Override
        public void onRoundEnd(int round, Context context, Collector<T> out) {}
    }
}
