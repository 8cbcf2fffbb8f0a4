package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationContext;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.api.RoundAwareProcessFunction;
import io.github.flinkiteration.api.TerminationCondition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
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
 * A bounded body in which no operator can observe a round boundary lets feedback in as it comes:
 * its records still carry their exact rounds, the iteration still ends after the last of them, and
 * it recovers from a failure mid-run with the result of a failure-free run, computed here in plain
 * Java. A body that can observe rounds keeps them held, and the log says which operator made it so.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FreeFlowRoundsTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    private static final TypeInformation<Tuple2<Long, Long>> PAIR =
            Types.TUPLE(Types.LONG, Types.LONG);
    private static final TypeInformation<Tuple3<Long, Integer, Long>> TAGGED =
            Types.TUPLE(Types.LONG, Types.INT, Types.LONG);

    private static final int VALUES = 1000;
    private static final int ROUNDS = 12;
    private static final long MODULUS = 1_000_003;

    private static final String FREE_FLOW = "lets feedback into the body as it comes";
    private static final String HELD = "holds each round's feedback until the round starts: ";

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void aBodyThatCannotObserveRoundsRecoversExactlyWithEveryRecordInItsRound(String backend)
            throws Exception {
        String run = InjectedFailure.newRun();
        StreamExecutionEnvironment env = FailoverTest.checkpointedEnv(4, backend);
        List<Tuple2<Long, Long>> initial = new ArrayList<>();
        for (long id = 0; id < VALUES; id++) {
            initial.add(Tuple2.of(id, id));
        }
        List<Tuple3<Long, Integer, Long>> outputs;
        try (LogCapture log = LogCapture.capture()) {
            DataStream<Tuple3<Long, Integer, Long>> tagged =
                    new BoundedIteration()
                            .bindVariable("values", env.fromData(initial).rebalance())
                            .withBody(
                                    (inputs, context) -> {
                                        DataStream<Tuple2<Long, Long>> next =
                                                inputs.<Tuple2<Long, Long>>get("values")
                                                        .process(
                                                                new InjectedFailure<>(
                                                                        run, VALUES * ROUNDS / 2))
                                                        .returns(PAIR)
                                                        .map(FreeFlowRoundsTest::step)
                                                        .returns(PAIR)
                                                        .map(new FailoverTest.RecordPacer<>())
                                                        .returns(PAIR);
                                        return IterationDeclaration.builder()
                                                .withFeedback("values", next)
                                                .withOutput(
                                                        "tagged",
                                                        next.process(new TagWithRound())
                                                                .returns(TAGGED))
                                                .until(TerminationCondition.maxRounds(ROUNDS))
                                                .build();
                                    })
                            .apply()
                            .get("tagged");
            TestCluster.Collected<Tuple3<Long, Integer, Long>> collected =
                    TestCluster.collectLater(tagged);
            env.execute();
            outputs = collected.list();
            assertThat(log.linesWith(FREE_FLOW)).hasSize(1);
        }

        List<Tuple3<Long, Integer, Long>> expected = new ArrayList<>();
        for (long id = 0; id < VALUES; id++) {
            long x = id;
            for (int round = 0; round < ROUNDS; round++) {
                x = step(Tuple2.of(id, x)).f1;
                expected.add(Tuple3.of(id, round, x));
            }
        }
        InjectedFailure.Run failure = InjectedFailure.run(run);
        assertThat(failure.failed()).as("the injected failure happened").isTrue();
        assertThat(failure.restoredFromCheckpoint).as("restored from a checkpoint").isTrue();
        assertThat(sorted(outputs)).isEqualTo(sorted(expected));
    }

    @Test
    void eachKindOfRoundObserverKeepsTheRoundsHeld() {
        assertThat(holdReason((values, context) -> values.map(v -> v + 1))).isEmpty();
        assertThat(holdReason((values, context) -> values.process(new Listener()).name("ears")))
                .containsExactly("operator 'ears' is an IterationListener");
        assertThat(
                        holdReason(
                                (values, context) ->
                                        values.keyBy(v -> v % 3)
                                                .map(v -> v + 1)
                                                .name("keyed step")))
                .containsExactly(
                        "operator 'keyed step' is keyed: its state may carry across rounds");
        assertThat(
                        holdReason(
                                (values, context) ->
                                        context.forEachRound(
                                                        () ->
                                                                Map.of(
                                                                        "next",
                                                                        values.map(v -> v + 1)
                                                                                .name("fresh")))
                                                .<Long>get("next")))
                .containsExactly("operator 'fresh' has a per-round lifecycle");
    }

    /**
     * What the log says about holding the rounds of an iteration whose step is {@code body}: empty
     * when it lets feedback flow, else the reason it holds the rounds.
     */
    private static List<String> holdReason(
            BiFunction<DataStream<Long>, IterationContext, DataStream<Long>> body) {
        StreamExecutionEnvironment env = TestCluster.env(2);
        try (LogCapture log = LogCapture.capture()) {
            new BoundedIteration()
                    .bindVariable("values", env.fromData(1L, 2L, 3L))
                    .withBody(
                            (inputs, context) -> {
                                DataStream<Long> next =
                                        body.apply(inputs.<Long>get("values"), context);
                                return IterationDeclaration.builder()
                                        .withFeedback("values", next)
                                        .withOutput("values", next)
                                        .until(TerminationCondition.maxRounds(3))
                                        .build();
                            })
                    .apply();
            List<String> reasons = new ArrayList<>();
            for (String line : log.linesWith(HELD)) {
                reasons.add(line.substring(line.indexOf(HELD) + HELD.length()));
            }
            assertThat(reasons.isEmpty()).isEqualTo(log.linesWith(FREE_FLOW).size() == 1);
            return reasons;
        }
    }

    private static Tuple2<Long, Long> step(Tuple2<Long, Long> value) {
        return Tuple2.of(value.f0, (value.f1 * 31 + value.f0) % MODULUS);
    }

    private static List<Tuple3<Long, Integer, Long>> sorted(
            List<Tuple3<Long, Integer, Long>> list) {
        List<Tuple3<Long, Integer, Long>> copy = new ArrayList<>(list);
        copy.sort(
                Comparator.<Tuple3<Long, Integer, Long>, Long>comparing(t -> t.f0)
                        .thenComparing(t -> t.f1)
                        .thenComparing(t -> t.f2));
        return copy;
    }

    /** (id, round, value) for every record, the round as the record carries it. */
    static final class TagWithRound
            extends RoundAwareProcessFunction<Tuple2<Long, Long>, Tuple3<Long, Integer, Long>> {
        @Override
        public void processElement(
                Tuple2<Long, Long> value,
                int round,
                Context ctx,
                Collector<Tuple3<Long, Integer, Long>> out) {
            out.collect(Tuple3.of(value.f0, round, value.f1));
        }
    }

    /** Passes records on and hears round ends. */
    static final class Listener extends ProcessFunction<Long, Long>
            implements IterationListener<Long> {
        @Override
        public void processElement(
                Long value, ProcessFunction<Long, Long>.Context ctx, Collector<Long> out) {
            out.collect(value + 1);
        }

        @Override
        public void onRoundEnd(int round, IterationListener.Context context, Collector<Long> out) {}
    }
}
