package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.api.TerminationCondition;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code withFinalValue} emits what the last round fed back, whether the rounds flow freely or are
 * held, whatever stopped the iteration, and exactly once across a failure; the reference is the
 * loop computed in plain Java.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FinalValueTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    private static final TypeInformation<Tuple2<Long, Long>> PAIR =
            Types.TUPLE(Types.LONG, Types.LONG);

    private static final int VALUES = 1000;
    private static final int ROUNDS = 12;

    /** Long enough (paced) for checkpoints to complete before the injected failure. */
    private static final int PACED_ROUNDS = 30;

    private static final long MODULUS = 1_000_003;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void freeFlowingRoundsGiveTheLastRoundsFeedbackExactlyOnceAcrossAFailure(String backend)
            throws Exception {
        String run = InjectedFailure.newRun();
        StreamExecutionEnvironment env = FailoverTest.checkpointedEnv(4, backend);
        List<Tuple2<Long, Long>> result;
        try (LogCapture log = LogCapture.capture()) {
            DataStream<Tuple2<Long, Long>> finalValue =
                    iterate(
                            env,
                            values ->
                                    values.process(
                                                    new InjectedFailure<>(
                                                            run, VALUES * PACED_ROUNDS / 2))
                                            .returns(PAIR)
                                            .map(FinalValueTest::step)
                                            .returns(PAIR)
                                            .map(new FailoverTest.RecordPacer<>())
                                            .returns(PAIR),
                            TerminationCondition.maxRounds(PACED_ROUNDS));
            result = TestCluster.collect(finalValue);
            assertThat(log.linesWith("lets feedback into the body as it comes")).hasSize(1);
        }
        InjectedFailure.Run failure = InjectedFailure.run(run);
        assertThat(failure.failed()).as("the injected failure happened").isTrue();
        assertThat(failure.restoredFromCheckpoint).as("restored from a checkpoint").isTrue();
        assertThat(result).containsExactlyInAnyOrderElementsOf(reference(PACED_ROUNDS));
    }

    @Test
    void heldRoundsGiveTheLastRoundsFeedbackWhenTheIterationStops() throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(4);
        List<Tuple2<Long, Long>> result;
        try (LogCapture log = LogCapture.capture()) {
            DataStream<Tuple2<Long, Long>> finalValue =
                    iterate(
                            env,
                            values -> values.process(new Stepper()).returns(PAIR),
                            TerminationCondition.maxRounds(ROUNDS));
            result = TestCluster.collect(finalValue);
            assertThat(log.linesWith("holds each round's feedback until the round starts"))
                    .hasSize(1);
        }
        assertThat(result).containsExactlyInAnyOrderElementsOf(reference(ROUNDS));
    }

    @Test
    void anIterationStoppedByACheckGivesTheFeedbackOfItsLastRound() throws Exception {
        // Each round halves every value; whenEmpty stops after the first round (from round 1 on)
        // whose halved values are all below 8.
        StreamExecutionEnvironment env = TestCluster.env(4);
        List<Long> initial = new ArrayList<>();
        for (long id = 0; id < VALUES; id++) {
            initial.add(id * 1000);
        }
        DataStream<Long> finalValue =
                new BoundedIteration()
                        .bindVariable("values", env.fromData(initial).rebalance().map(v -> v))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Long> next =
                                            inputs.<Long>get("values").map(v -> v / 2);
                                    return IterationDeclaration.builder()
                                            .withFeedback("values", next)
                                            .withFinalValue("result", "values")
                                            .until(
                                                    TerminationCondition.whenEmpty(
                                                                    next.filter(v -> v >= 8))
                                                            .or(
                                                                    TerminationCondition.maxRounds(
                                                                            1000)))
                                            .build();
                                })
                        .apply()
                        .get("result");
        List<Long> result = TestCluster.collect(finalValue);

        List<Long> expected = new ArrayList<>(initial);
        for (int round = 0; ; round++) {
            expected.replaceAll(v -> v / 2);
            if (round >= 1 && expected.stream().allMatch(v -> v < 8)) {
                break;
            }
        }
        assertThat(result).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void aLastRoundThatFedNothingBackGivesAnEmptyFinalValue() throws Exception {
        // Halving until nothing but zeros is left, which the body drops: the last round feeds
        // nothing back and ends the iteration.
        StreamExecutionEnvironment env = TestCluster.env(4);
        List<Tuple2<Long, Long>> result =
                TestCluster.collect(
                        iterate(
                                env,
                                values ->
                                        values.map(v -> Tuple2.of(v.f0, v.f1 / 2))
                                                .returns(PAIR)
                                                .filter(v -> v.f1 > 0),
                                null));
        assertThat(result).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"free-flowing", "held"})
    void aBatchJobGivesTheLastRoundsFeedback(String rounds) throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(4);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        List<Tuple2<Long, Long>> result =
                TestCluster.collect(
                        iterate(
                                env,
                                values ->
                                        rounds.equals("held")
                                                ? values.process(new Stepper()).returns(PAIR)
                                                : values.map(FinalValueTest::step).returns(PAIR),
                                TerminationCondition.maxRounds(ROUNDS)));
        assertThat(result).containsExactlyInAnyOrderElementsOf(reference(ROUNDS));
    }

    private static DataStream<Tuple2<Long, Long>> iterate(
            StreamExecutionEnvironment env,
            Function<DataStream<Tuple2<Long, Long>>, DataStream<Tuple2<Long, Long>>> body,
            TerminationCondition until) {
        return new BoundedIteration()
                .bindVariable(
                        "values",
                        // at the environment's parallelism, so the loop runs at it too
                        env.fromData(initial()).rebalance().map(v -> v).returns(PAIR))
                .withBody(
                        (inputs, context) -> {
                            IterationDeclaration.Builder declaration =
                                    IterationDeclaration.builder()
                                            .withFeedback(
                                                    "values",
                                                    body.apply(
                                                            inputs.<Tuple2<Long, Long>>get(
                                                                    "values")))
                                            .withFinalValue("result", "values");
                            if (until != null) {
                                declaration.until(until);
                            }
                            return declaration.build();
                        })
                .apply()
                .get("result");
    }

    private static List<Tuple2<Long, Long>> initial() {
        List<Tuple2<Long, Long>> initial = new ArrayList<>();
        for (long id = 0; id < VALUES; id++) {
            initial.add(Tuple2.of(id, id));
        }
        return initial;
    }

    /** The values after {@code rounds} steps. */
    private static List<Tuple2<Long, Long>> reference(int rounds) {
        List<Tuple2<Long, Long>> values = initial();
        for (int round = 0; round < rounds; round++) {
            values.replaceAll(FinalValueTest::step);
        }
        return values;
    }

    static Tuple2<Long, Long> step(Tuple2<Long, Long> value) {
        return Tuple2.of(value.f0, (value.f1 * 31 + 7) % MODULUS);
    }

    /** The step, in a listener: a body that observes round ends, so its rounds are held. */
    static final class Stepper extends ProcessFunction<Tuple2<Long, Long>, Tuple2<Long, Long>>
            implements IterationListener<Tuple2<Long, Long>> {
        @Override
        public void processElement(
                Tuple2<Long, Long> value,
                ProcessFunction<Tuple2<Long, Long>, Tuple2<Long, Long>>.Context ctx,
                Collector<Tuple2<Long, Long>> out) {
            out.collect(step(value));
        }

        @Override
        public void onRoundEnd(
                int round, IterationListener.Context context, Collector<Tuple2<Long, Long>> out) {}
    }
}
