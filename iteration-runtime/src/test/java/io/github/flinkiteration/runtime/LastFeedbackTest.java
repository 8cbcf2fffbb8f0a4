package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationConfig;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.TerminationCondition;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * With {@code IterationConfig#lastFeedbackEntersBody}, the feedback of the last round reaches the
 * body as records of round n, which never ends, before {@code onIterationTerminated}; for each way
 * a round is decided (by the head, by the round deciders, by the coordinator).
 */
class LastFeedbackTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    private static final List<Integer> INITIAL = List.of(0, 3, 5, 10, 2, 7, 1, 4);
    private static final int ROUNDS = 4;

    @ParameterizedTest(name = "head parallelism {0}, termination check {1}")
    @CsvSource({"1, false", "4, false", "4, true"})
    void lastFeedbackEntersButItsRoundNeverEnds(int headParallelism, boolean check)
            throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(4);
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable(
                                "x",
                                env.fromData(INITIAL)
                                        .rebalance()
                                        .map(v -> v)
                                        .setParallelism(headParallelism))
                        .withConfig(IterationConfig.builder().lastFeedbackEntersBody(true).build())
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> x = inputs.get("x");
                                    DataStream<Integer> next = x.map(v -> v + 1);
                                    TerminationCondition until =
                                            TerminationCondition.maxRounds(ROUNDS);
                                    if (check) {
                                        // Never empty: the coordinator decides, by the limit.
                                        until =
                                                until.or(
                                                        TerminationCondition.whenEmpty(
                                                                next.filter(v -> v >= 0)));
                                    }
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", next)
                                            .withOutput(
                                                    "seen",
                                                    x.process(new RoundTagger<>())
                                                            .returns(
                                                                    Types.TUPLE(
                                                                            Types.INT, Types.INT)))
                                            .withOutput(
                                                    "ends",
                                                    x.process(new CountsRoundsSumsRest())
                                                            .returns(
                                                                    Types.TUPLE(
                                                                            Types.INT, Types.INT)))
                                            .until(until)
                                            .build();
                                })
                        .apply();
        TestCluster.Collected<Tuple2<Integer, Integer>> seen =
                TestCluster.collectLater(results.get("seen"));
        TestCluster.Collected<Tuple2<Integer, Integer>> ends =
                TestCluster.collectLater(results.get("ends"));
        env.execute();

        // Reference: round r holds v + r; the feedback of the last round, v + ROUNDS, enters too.
        List<Tuple2<Integer, Integer>> expectedSeen = new ArrayList<>();
        for (int round = 0; round <= ROUNDS; round++) {
            for (int v : INITIAL) {
                expectedSeen.add(Tuple2.of(round, v + round));
            }
        }
        assertThat(seen.list()).containsExactlyInAnyOrderElementsOf(expectedSeen);

        List<Tuple2<Integer, Integer>> endsSeen = ends.list();
        List<Integer> roundsEnded = new ArrayList<>();
        int countInEndedRounds = 0;
        int sumAfterLastEnd = 0;
        for (Tuple2<Integer, Integer> end : endsSeen) {
            if (end.f0 >= 0) {
                roundsEnded.add(end.f0);
                countInEndedRounds += end.f1;
            } else {
                sumAfterLastEnd += end.f1;
            }
        }
        assertThat(roundsEnded.stream().distinct().sorted().toList())
                .as("rounds that ended: 0 to ROUNDS - 1, never ROUNDS")
                .containsExactly(0, 1, 2, 3);
        assertThat(countInEndedRounds).isEqualTo(INITIAL.size() * ROUNDS);
        assertThat(sumAfterLastEnd)
                .as("what arrived after the last round ended, seen by onIterationTerminated")
                .isEqualTo(INITIAL.stream().mapToInt(v -> v + ROUNDS).sum());
    }

    /**
     * Emits (r, number of values of round r) at each round's end and, when the iteration ends, (-1,
     * sum of the values that came after the last round's end).
     */
    static final class CountsRoundsSumsRest
            extends ProcessFunction<Integer, Tuple2<Integer, Integer>>
            implements IterationListener<Tuple2<Integer, Integer>> {

        private int count;
        private int sum;

        @Override
        public void processElement(
                Integer value,
                ProcessFunction<Integer, Tuple2<Integer, Integer>>.Context ctx,
                Collector<Tuple2<Integer, Integer>> out) {
            count++;
            sum += value;
        }

        @Override
        public void onRoundEnd(
                int round,
                IterationListener.Context context,
                Collector<Tuple2<Integer, Integer>> out) {
            out.collect(Tuple2.of(round, count));
            count = 0;
            sum = 0;
        }

        @Override
        public void onIterationTerminated(
                IterationListener.Context context, Collector<Tuple2<Integer, Integer>> out) {
            out.collect(Tuple2.of(-1, sum));
        }
    }
}
