package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.api.IterationRuntimeContext;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.TerminationCondition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link IterationRuntimeContext#currentRound()} in plain rich functions of a body at parallelism
 * 4: chained and behind a key exchange, all-round and per-round, in listener callbacks, and not
 * after the iteration's outputs. A loop adds one to each value per round, so a value seen in round
 * r is its initial value plus r: the expected pairs are computed from that.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class IterationRuntimeContextTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    private static final List<Integer> INITIAL = List.of(0, 3, 5, 10, 2, 7, 1, 4, 20, 11);
    private static final int ROUNDS = 6;
    private static final TypeInformation<Tuple2<Integer, Integer>> PAIR =
            TypeInformation.of(new TypeHint<Tuple2<Integer, Integer>>() {});

    @Test
    void allRoundFunctionsSeeTheRoundOfTheRecordTheyProcess() throws Exception {
        List<Tuple2<Integer, Integer>> chained = new ArrayList<>();
        List<Tuple2<Integer, Integer>> keyed = new ArrayList<>();
        runLoop(false, chained, keyed);

        assertThat(chained).containsExactlyInAnyOrderElementsOf(expectedPairs());
        assertThat(keyed).containsExactlyInAnyOrderElementsOf(expectedPairs());
    }

    @Test
    void perRoundFunctionsSeeTheRoundOfTheRecordTheyProcess() throws Exception {
        List<Tuple2<Integer, Integer>> chained = new ArrayList<>();
        List<Tuple2<Integer, Integer>> keyed = new ArrayList<>();
        runLoop(true, chained, keyed);

        assertThat(chained).containsExactlyInAnyOrderElementsOf(expectedPairs());
        assertThat(keyed).containsExactlyInAnyOrderElementsOf(expectedPairs());
    }

    @Test
    void listenerCallbacksSeeTheirRound() throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(4);
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable("x", env.fromData(INITIAL))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> x = inputs.get("x");
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", x.map(v -> v + 1))
                                            .withOutput(
                                                    "ends",
                                                    x.filter(v -> false)
                                                            .map(new RoundEndReporter())
                                                            .returns(PAIR))
                                            .until(TerminationCondition.maxRounds(ROUNDS))
                                            .build();
                                })
                        .apply();
        List<Tuple2<Integer, Integer>> ends = TestCluster.collect(results.get("ends"));

        // Each of the 4 subtasks reports onRoundEnd(r) as (r, currentRound()) once per round.
        List<Tuple2<Integer, Integer>> expected = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            for (int subtask = 0; subtask < 4; subtask++) {
                expected.add(Tuple2.of(round, round));
            }
        }
        assertThat(ends).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void operatorsAfterTheOutputsAreOutsideTheIteration() throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(4);
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable("x", env.fromData(INITIAL))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> x = inputs.get("x");
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", x.map(v -> v + 1))
                                            .withOutput("x", x)
                                            .until(TerminationCondition.maxRounds(ROUNDS))
                                            .build();
                                })
                        .apply();
        List<Boolean> inside =
                TestCluster.collect(
                        results.<Integer>get("x")
                                .map(v -> IterationRuntimeContext.isInIteration()));

        assertThat(inside).hasSize(INITIAL.size() * ROUNDS).containsOnly(false);
    }

    @Test
    void callingOutsideAnIterationFailsWithAClearMessage() {
        assertThat(IterationRuntimeContext.isInIteration()).isFalse();
        assertThatThrownBy(IterationRuntimeContext::currentRound)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("outside an iteration body")
                .hasMessageContaining(Thread.currentThread().getName());
    }

    private static void runLoop(
            boolean perRound,
            List<Tuple2<Integer, Integer>> chainedSeen,
            List<Tuple2<Integer, Integer>> keyedSeen)
            throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(4);
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable("x", env.fromData(INITIAL))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> x = inputs.get("x");
                                    DataStream<?> chained;
                                    DataStream<?> keyed;
                                    if (perRound) {
                                        ResultStreams tagged =
                                                context.forEachRound(() -> tagBoth(x));
                                        chained = tagged.get("chained");
                                        keyed = tagged.get("keyed");
                                    } else {
                                        Map<String, DataStream<?>> tagged = tagBoth(x);
                                        chained = tagged.get("chained");
                                        keyed = tagged.get("keyed");
                                    }
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", x.map(v -> v + 1))
                                            .withOutput("chained", chained)
                                            .withOutput("keyed", keyed)
                                            .until(TerminationCondition.maxRounds(ROUNDS))
                                            .build();
                                })
                        .apply();
        TestCluster.Collected<Tuple2<Integer, Integer>> chainedOut =
                TestCluster.collectLater(results.get("chained"));
        TestCluster.Collected<Tuple2<Integer, Integer>> keyedOut =
                TestCluster.collectLater(results.get("keyed"));
        env.execute();
        chainedSeen.addAll(chainedOut.list());
        keyedSeen.addAll(keyedOut.list());
    }

    private static Map<String, DataStream<?>> tagBoth(DataStream<Integer> x) {
        DataStream<Tuple2<Integer, Integer>> chained = x.map(new RoundOfRecord()).returns(PAIR);
        DataStream<Tuple2<Integer, Integer>> keyed =
                x.keyBy(v -> v % 3).process(new KeyedRoundOfRecord()).returns(PAIR);
        return Map.of("chained", chained, "keyed", keyed);
    }

    private static List<Tuple2<Integer, Integer>> expectedPairs() {
        List<Tuple2<Integer, Integer>> expected = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            for (int v : INITIAL) {
                expected.add(Tuple2.of(round, v + round));
            }
        }
        return expected;
    }

    /** A plain rich map: (round, value). */
    private static final class RoundOfRecord
            extends RichMapFunction<Integer, Tuple2<Integer, Integer>> {
        private static final long serialVersionUID = 1L;

        @Override
        public Tuple2<Integer, Integer> map(Integer value) {
            return Tuple2.of(IterationRuntimeContext.currentRound(), value);
        }
    }

    /** A keyed process function behind an exchange: (round, value). */
    private static final class KeyedRoundOfRecord
            extends KeyedProcessFunction<Integer, Integer, Tuple2<Integer, Integer>> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(
                Integer value, Context ctx, Collector<Tuple2<Integer, Integer>> out) {
            out.collect(Tuple2.of(IterationRuntimeContext.currentRound(), value));
        }
    }

    /** Emits (round of onRoundEnd, currentRound() inside it) at each round end; records pass. */
    private static final class RoundEndReporter
            extends RichMapFunction<Integer, Tuple2<Integer, Integer>>
            implements IterationListener<Tuple2<Integer, Integer>> {
        private static final long serialVersionUID = 1L;

        @Override
        public Tuple2<Integer, Integer> map(Integer value) {
            throw new AssertionError("gets no records: the stream is filtered empty");
        }

        @Override
        public void onRoundEnd(
                int round, Context context, Collector<Tuple2<Integer, Integer>> out) {
            out.collect(Tuple2.of(round, IterationRuntimeContext.currentRound()));
        }
    }
}
