package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.TerminationCondition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.co.CoProcessFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A constant reaches the body in every round, whole, whatever the parallelism of its readers. */
class ReplayTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    private static final long RECORDS = 20_000;
    private static final int ROUNDS = 6;

    /** The sum of the constant's records, 0 + 1 + … + (RECORDS − 1). */
    private static final long SUM = RECORDS * (RECORDS - 1) / 2;

    @ParameterizedTest(name = "readers at parallelism {0}")
    @ValueSource(ints = {1, 3})
    void everyRoundSeesExactlyTheConstantsRecordsOnAnOutputBranch(int readers) throws Exception {
        // The loop itself does not read the constant, so its rounds may run ahead of the replay.
        StreamExecutionEnvironment env = TestCluster.env(2);
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable("x", env.fromData(0))
                        .bindConstant("numbers", env.fromSequence(0, RECORDS - 1))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> x = inputs.get("x");
                                    DataStream<Long> numbers = inputs.get("numbers");
                                    DataStream<Tuple3<Integer, Long, Long>> perRound =
                                            numbers.rebalance()
                                                    .process(new CountAndSumPerRound())
                                                    .setParallelism(readers);
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", x.map(v -> v + 1))
                                            .withOutput("perRound", perRound)
                                            .until(TerminationCondition.maxRounds(ROUNDS))
                                            .build();
                                })
                        .apply();
        assertEveryRoundSawTheWholeConstant(TestCluster.collect(results.get("perRound")));
    }

    @ParameterizedTest(name = "readers at parallelism {0}")
    @ValueSource(ints = {1, 3})
    void everyRoundSeesExactlyTheConstantsRecordsInTheLoop(int readers) throws Exception {
        // The constant is joined with the variable on the way to the tail: lock-step holds.
        StreamExecutionEnvironment env = TestCluster.env(2);
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable("x", env.fromData(0))
                        .bindConstant("numbers", env.fromSequence(0, RECORDS - 1))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> x = inputs.get("x");
                                    DataStream<Long> numbers = inputs.get("numbers");
                                    DataStream<Tuple3<Integer, Long, Long>> perRound =
                                            numbers.rebalance()
                                                    .connect(x.broadcast())
                                                    .process(new CountAndSumWithVariable())
                                                    .setParallelism(readers);
                                    // One record per reader and round goes back.
                                    DataStream<Integer> next =
                                            perRound.map(t -> t.f0 + 1)
                                                    .returns(Types.INT)
                                                    .setParallelism(readers);
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", next)
                                            .withOutput("perRound", perRound)
                                            .until(TerminationCondition.maxRounds(ROUNDS))
                                            .build();
                                })
                        .apply();
        assertEveryRoundSawTheWholeConstant(TestCluster.collect(results.get("perRound")));
    }

    private static void assertEveryRoundSawTheWholeConstant(
            List<Tuple3<Integer, Long, Long>> perSubtaskAndRound) {
        Map<Integer, Long> counts = new HashMap<>();
        Map<Integer, Long> sums = new HashMap<>();
        for (Tuple3<Integer, Long, Long> t : perSubtaskAndRound) {
            counts.merge(t.f0, t.f1, Long::sum);
            sums.merge(t.f0, t.f2, Long::sum);
        }
        assertThat(counts).hasSize(ROUNDS);
        for (int round = 0; round < ROUNDS; round++) {
            assertThat(counts.get(round)).as("records in round %d", round).isEqualTo(RECORDS);
            assertThat(sums.get(round)).as("sum of round %d", round).isEqualTo(SUM);
        }
    }

    /** The count and sum of one subtask's records in the current round. */
    private static final class RoundTotals implements java.io.Serializable {
        private long count;
        private long sum;

        void add(long value) {
            count++;
            sum += value;
        }

        /** (round, count, sum), and starts over for the next round. */
        Tuple3<Integer, Long, Long> drain(int round) {
            Tuple3<Integer, Long, Long> totals = Tuple3.of(round, count, sum);
            count = 0;
            sum = 0;
            return totals;
        }
    }

    /** Emits (round, count, sum) of the records it got in each round, at the round's end. */
    private static final class CountAndSumPerRound
            extends ProcessFunction<Long, Tuple3<Integer, Long, Long>>
            implements IterationListener<Tuple3<Integer, Long, Long>> {
        private final RoundTotals totals = new RoundTotals();

        @Override
        public void processElement(
                Long value,
                ProcessFunction<Long, Tuple3<Integer, Long, Long>>.Context ctx,
                Collector<Tuple3<Integer, Long, Long>> out) {
            totals.add(value);
        }

        @Override
        public void onRoundEnd(
                int round,
                IterationListener.Context ctx,
                Collector<Tuple3<Integer, Long, Long>> out) {
            out.collect(totals.drain(round));
        }
    }

    /** The same, reading the variable as a second input so that the round feeds the loop. */
    private static final class CountAndSumWithVariable
            extends CoProcessFunction<Long, Integer, Tuple3<Integer, Long, Long>>
            implements IterationListener<Tuple3<Integer, Long, Long>> {
        private final RoundTotals totals = new RoundTotals();

        @Override
        public void processElement1(
                Long value,
                CoProcessFunction<Long, Integer, Tuple3<Integer, Long, Long>>.Context ctx,
                Collector<Tuple3<Integer, Long, Long>> out) {
            totals.add(value);
        }

        @Override
        public void processElement2(
                Integer value,
                CoProcessFunction<Long, Integer, Tuple3<Integer, Long, Long>>.Context ctx,
                Collector<Tuple3<Integer, Long, Long>> out) {}

        @Override
        public void onRoundEnd(
                int round,
                IterationListener.Context ctx,
                Collector<Tuple3<Integer, Long, Long>> out) {
            out.collect(totals.drain(round));
        }
    }
}
