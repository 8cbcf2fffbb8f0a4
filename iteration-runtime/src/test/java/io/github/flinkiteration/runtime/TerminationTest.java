package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.ConvergenceCriterion;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.TerminationCondition;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each way a bounded iteration stops, checked against a plain-Java simulation of the loop. */
class TerminationTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    private static final List<Integer> INITIAL = List.of(0, 3, 5, 10, 2, 7, 1, 4);

    // With a head of parallelism 1 and no termination check, the head decides each round itself;
    // with parallelism 4 the coordinator does. Both must give the same rounds.
    @ParameterizedTest(name = "head parallelism {0}")
    @ValueSource(ints = {1, 4})
    void maxRoundsRunsExactlyThatManyRounds(int headParallelism) throws Exception {
        int maxRounds = 7;
        List<Tuple2<Integer, Integer>> seen =
                runIncrementLoop(
                        4, headParallelism, s -> TerminationCondition.maxRounds(maxRounds));

        List<Tuple2<Integer, Integer>> expected = new ArrayList<>();
        for (int round = 0; round < maxRounds; round++) {
            for (int v : INITIAL) {
                expected.add(Tuple2.of(round, v + round));
            }
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void whenEmptyStopsAfterTheFirstRoundWithoutRecords() throws Exception {
        int limit = 9;
        List<Tuple2<Integer, Integer>> seen =
                runIncrementLoop(
                        4, next -> TerminationCondition.whenEmpty(next.filter(v -> v < limit)));

        // Reference: round r sees v + r; the filtered stream of round r holds v + r + 1 < limit.
        int lastRound = -1;
        for (int round = 0; ; round++) {
            lastRound = round;
            int r = round;
            boolean empty = INITIAL.stream().noneMatch(v -> v + r + 1 < limit);
            if (round >= 1 && empty) {
                break;
            }
        }
        assertThat(maxRound(seen)).isEqualTo(lastRound);
        assertThat(seen).hasSize(INITIAL.size() * (lastRound + 1));
    }

    @Test
    void whenConvergedStopsInTheRoundTheCriterionHolds() throws Exception {
        double tolerance = 0.05;
        StreamExecutionEnvironment env = TestCluster.env(4);
        List<Double> initial = List.of(64.0, 32.0, 16.0, 8.0);
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable("x", env.fromData(initial))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Double> x = inputs.get("x");
                                    DataStream<Double> next = x.map(v -> v / 2);
                                    DataStream<Tuple2<Integer, Double>> tagged =
                                            x.process(new RoundTagger<>())
                                                    .returns(
                                                            new TypeHint<
                                                                    Tuple2<Integer, Double>>() {});
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", next)
                                            .withOutput("seen", tagged)
                                            .until(
                                                    TerminationCondition.whenConverged(
                                                            next,
                                                            ConvergenceCriterion.deltaBelow(
                                                                    tolerance)))
                                            .build();
                                })
                        .apply();
        List<Tuple2<Integer, Double>> seen = TestCluster.collect(results.get("seen"));

        // Reference: the loss of round r is the sum of round r's halved values.
        double sum = initial.stream().mapToDouble(Double::doubleValue).sum();
        int lastRound = 0;
        double previousLoss = sum / 2;
        for (int round = 1; ; round++) {
            double loss = sum / Math.pow(2, round + 1);
            if (Math.abs(loss - previousLoss) < tolerance) {
                lastRound = round;
                break;
            }
            previousLoss = loss;
        }
        assertThat(seen.stream().mapToInt(t -> t.f0).max().orElse(-1)).isEqualTo(lastRound);
        assertThat(seen).hasSize(initial.size() * (lastRound + 1));
    }

    @ParameterizedTest(name = "head parallelism {0}")
    @ValueSource(ints = {1, 4})
    void stopsAfterARoundThatFedNothingBack(int headParallelism) throws Exception {
        int limit = 6;
        StreamExecutionEnvironment env = TestCluster.env(4);
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable("x", initial(env, headParallelism))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> x = inputs.get("x");
                                    return IterationDeclaration.builder()
                                            .withFeedback(
                                                    "x", x.map(v -> v + 1).filter(v -> v < limit))
                                            .withOutput("seen", tag(x))
                                            .build();
                                })
                        .apply();
        List<Tuple2<Integer, Integer>> seen = TestCluster.collect(results.get("seen"));

        List<Tuple2<Integer, Integer>> expected = new ArrayList<>();
        List<Integer> current = new ArrayList<>(INITIAL);
        for (int round = 0; !current.isEmpty(); round++) {
            for (int v : current) {
                expected.add(Tuple2.of(round, v));
            }
            current =
                    current.stream()
                            .map(v -> v + 1)
                            .filter(v -> v < limit)
                            .collect(Collectors.toList());
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void orStopsWhenTheFirstConditionHolds() throws Exception {
        List<Tuple2<Integer, Integer>> seen =
                runIncrementLoop(
                        2,
                        next ->
                                TerminationCondition.whenEmpty(next.filter(v -> v > 1_000))
                                        .or(TerminationCondition.maxRounds(100))
                                        .or(TerminationCondition.maxRounds(3)));
        // The filtered stream is empty from round 0, but emptiness only counts from round 1.
        assertThat(maxRound(seen)).isEqualTo(1);

        List<Tuple2<Integer, Integer>> capped =
                runIncrementLoop(
                        2,
                        next ->
                                TerminationCondition.whenEmpty(next.filter(v -> v >= 0))
                                        .or(TerminationCondition.maxRounds(3)));
        assertThat(maxRound(capped)).isEqualTo(2);
    }

    /** A loop over {@link #INITIAL} adding one per round, emitting every value with its round. */
    private static List<Tuple2<Integer, Integer>> runIncrementLoop(
            int parallelism, Function<DataStream<Integer>, TerminationCondition> until)
            throws Exception {
        return runIncrementLoop(parallelism, parallelism, until);
    }

    private static List<Tuple2<Integer, Integer>> runIncrementLoop(
            int parallelism,
            int headParallelism,
            Function<DataStream<Integer>, TerminationCondition> until)
            throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(parallelism);
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable("x", initial(env, headParallelism))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> x = inputs.get("x");
                                    DataStream<Integer> next = x.map(v -> v + 1);
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", next)
                                            .withOutput("seen", tag(x))
                                            .until(until.apply(next))
                                            .build();
                                })
                        .apply();
        return TestCluster.collect(results.get("seen"));
    }

    /** {@link #INITIAL} at the given parallelism, which the variable's head takes over. */
    private static DataStream<Integer> initial(
            StreamExecutionEnvironment env, int headParallelism) {
        return env.fromData(INITIAL).rebalance().map(v -> v).setParallelism(headParallelism);
    }

    private static DataStream<Tuple2<Integer, Integer>> tag(DataStream<Integer> x) {
        return x.process(new RoundTagger<>()).returns(Types.TUPLE(Types.INT, Types.INT));
    }

    private static int maxRound(List<Tuple2<Integer, Integer>> seen) {
        return seen.stream().mapToInt(t -> t.f0).max().orElse(-1);
    }
}
