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
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.co.CoProcessFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Keyed state, several variables and iterations, parallelism changes, and data inputs. */
class StateAndTopologyTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void keyedStateOfAnAllRoundOperatorLivesAcrossRounds(String backend) throws Exception {
        int rounds = 6;
        List<Integer> initial = IntStream.range(0, 30).boxed().collect(Collectors.toList());
        StreamExecutionEnvironment env = TestCluster.env(4, backend);
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable("x", env.fromData(initial))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> x = inputs.get("x");
                                    DataStream<Tuple2<Integer, Long>> sums =
                                            x.keyBy(v -> v % 7).process(new RunningTotal(false));
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", x.map(v -> v + 1))
                                            .withOutput("sums", sums)
                                            .until(TerminationCondition.maxRounds(rounds))
                                            .build();
                                })
                        .apply();
        List<Tuple2<Integer, Long>> sums = TestCluster.collect(results.get("sums"));

        // Reference: per key, the largest running sum is the sum of everything the key saw.
        Map<Integer, Long> expected = new HashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (int v : initial) {
                expected.merge((v + round) % 7, (long) (v + round), Long::sum);
            }
        }
        Map<Integer, Long> finalSums = new HashMap<>();
        for (Tuple2<Integer, Long> sum : sums) {
            finalSums.merge(sum.f0, sum.f1, Math::max);
        }
        assertThat(finalSums).isEqualTo(expected);
        assertThat(sums).hasSize(initial.size() * rounds);
    }

    @Test
    void twoVariablesRunInOneLoopUntilBothStopFeeding() throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(2);
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable("a", env.fromData(1, 2, 3))
                        .bindVariable("b", env.fromData(100L).setParallelism(1))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> a = inputs.get("a");
                                    DataStream<Long> b = inputs.get("b");
                                    // a stops feeding back after round 2; b keeps going.
                                    DataStream<Integer> nextA =
                                            a.map(v -> v + 10).filter(v -> v < 30);
                                    DataStream<Long> nextB = b.map(v -> v * 2).setParallelism(1);
                                    return IterationDeclaration.builder()
                                            .withFeedback("a", nextA)
                                            .withFeedback("b", nextB)
                                            .withOutput("a", nextA)
                                            .withOutput("b", nextB)
                                            .until(TerminationCondition.maxRounds(5))
                                            .build();
                                })
                        .apply();
        TestCluster.Collected<Integer> a = TestCluster.collectLater(results.get("a"));
        TestCluster.Collected<Long> b = TestCluster.collectLater(results.get("b"));
        env.execute();

        assertThat(a.list()).containsExactlyInAnyOrder(11, 12, 13, 21, 22, 23);
        assertThat(b.list()).containsExactlyInAnyOrder(200L, 400L, 800L, 1600L, 3200L);
    }

    @Test
    void twoIterationsInOneJobDoNotInterfere() throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(2);
        DataStream<Integer> first = counter(env.fromData(0, 0), 3);
        DataStream<Integer> second = counter(env.fromData(100, 100, 100), 6);
        TestCluster.Collected<Integer> firstOut = TestCluster.collectLater(first);
        TestCluster.Collected<Integer> secondOut = TestCluster.collectLater(second);
        env.execute();

        assertThat(firstOut.list()).containsExactlyInAnyOrder(1, 1, 2, 2, 3, 3);
        assertThat(secondOut.list())
                .containsExactlyInAnyOrderElementsOf(
                        IntStream.rangeClosed(101, 106)
                                .boxed()
                                .flatMap(v -> List.of(v, v, v).stream())
                                .collect(Collectors.toList()));
    }

    /** The output of one bounded iteration ends, so a second may bind it as its constant. */
    @Test
    void aConstantMayReadAnotherIterationsOutput() throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(2);
        DataStream<Integer> first = counter(env.fromData(0, 0), 3);
        DataStream<Integer> sums =
                new BoundedIteration()
                        .bindVariable("sum", env.fromData(0).map(v -> v).setParallelism(1))
                        .bindConstant("values", first)
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> next =
                                            inputs.<Integer>get("values")
                                                    .union(inputs.<Integer>get("sum"))
                                                    .process(new SumPerRound())
                                                    .setParallelism(1);
                                    return IterationDeclaration.builder()
                                            .withFeedback("sum", next)
                                            .withOutput("sum", next)
                                            .until(TerminationCondition.maxRounds(2))
                                            .build();
                                })
                        .apply()
                        .get("sum");
        TestCluster.Collected<Integer> out = TestCluster.collectLater(sums);
        env.execute();

        // The first iteration emits 1, 1, 2, 2, 3, 3 (sum 12); two rounds add it twice.
        assertThat(out.list()).containsExactly(12, 24);
    }

    @Test
    void twoJobsInOneJvmDoNotInterfere() throws Exception {
        StreamExecutionEnvironment envA = TestCluster.env(2);
        StreamExecutionEnvironment envB = TestCluster.env(2);
        TestCluster.Collected<Integer> outA =
                TestCluster.collectLater(counter(envA.fromData(0, 0), 4));
        TestCluster.Collected<Integer> outB =
                TestCluster.collectLater(counter(envB.fromData(50), 8));
        JobClient jobA = envA.executeAsync("job A");
        JobClient jobB = envB.executeAsync("job B");
        List<Integer> a = outA.list();
        List<Integer> b = outB.list();
        jobA.getJobExecutionResult().get();
        jobB.getJobExecutionResult().get();

        assertThat(a).containsExactlyInAnyOrder(1, 1, 2, 2, 3, 3, 4, 4);
        assertThat(b).containsExactlyInAnyOrder(51, 52, 53, 54, 55, 56, 57, 58);
    }

    @Test
    void keyByBetweenOperatorsOfDifferentParallelism() throws Exception {
        int rounds = 4;
        List<Integer> initial = IntStream.range(0, 50).boxed().collect(Collectors.toList());
        StreamExecutionEnvironment env = TestCluster.env(2);
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable("x", env.fromData(initial))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> x = inputs.get("x");
                                    DataStream<Tuple2<Integer, Long>> counts =
                                            x.map(v -> v * 3)
                                                    .setParallelism(3)
                                                    .keyBy(v -> v % 5)
                                                    .process(new RunningTotal(true))
                                                    .setParallelism(4);
                                    DataStream<Integer> next = x.map(v -> v + 1).setParallelism(1);
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", next)
                                            .withOutput("counts", counts)
                                            .until(TerminationCondition.maxRounds(rounds))
                                            .build();
                                })
                        .apply();
        List<Tuple2<Integer, Long>> counts = TestCluster.collect(results.get("counts"));

        Map<Integer, Long> expected = new HashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (int v : initial) {
                expected.merge(((v + round) * 3) % 5, 1L, Long::sum);
            }
        }
        Map<Integer, Long> finalCounts = new HashMap<>();
        counts.forEach(c -> finalCounts.merge(c.f0, c.f1, Math::max));
        assertThat(finalCounts).isEqualTo(expected);
    }

    @Test
    void dataInputIsReadOnlyInRoundZero() throws Exception {
        int rounds = 4;
        List<Integer> data = IntStream.range(0, 100).boxed().collect(Collectors.toList());
        StreamExecutionEnvironment env = TestCluster.env(4);
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable("x", env.fromData(0).setParallelism(1))
                        .bindData("data", env.fromData(data))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> x = inputs.get("x");
                                    DataStream<Integer> d = inputs.get("data");
                                    DataStream<Tuple3<Integer, Long, Long>> perRound =
                                            d.connect(x.broadcast())
                                                    .process(new DataPerRound())
                                                    .setParallelism(3);
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", x.map(v -> v + 1).setParallelism(1))
                                            .withOutput("perRound", perRound)
                                            .until(TerminationCondition.maxRounds(rounds))
                                            .build();
                                })
                        .apply();
        List<Tuple3<Integer, Long, Long>> perRound = TestCluster.collect(results.get("perRound"));

        // (round, data records, data sum) per subtask and round.
        Map<Integer, long[]> byRound = new HashMap<>();
        for (Tuple3<Integer, Long, Long> r : perRound) {
            long[] totals = byRound.computeIfAbsent(r.f0, k -> new long[2]);
            totals[0] += r.f1;
            totals[1] += r.f2;
        }
        assertThat(byRound).containsOnlyKeys(0, 1, 2, 3);
        assertThat(byRound.get(0))
                .containsExactly(data.size(), data.stream().mapToLong(v -> v).sum());
        for (int round = 1; round < rounds; round++) {
            assertThat(byRound.get(round)).containsExactly(0, 0);
        }
    }

    private static DataStream<Integer> counter(DataStream<Integer> initial, int rounds) {
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable("c", initial)
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> next =
                                            inputs.<Integer>get("c").map(v -> v + 1);
                                    return IterationDeclaration.builder()
                                            .withFeedback("c", next)
                                            .withOutput("c", next)
                                            .until(TerminationCondition.maxRounds(rounds))
                                            .build();
                                })
                        .apply();
        return results.get("c");
    }

    /** Emits the sum of each round's records at the round's end. */
    private static final class SumPerRound extends ProcessFunction<Integer, Integer>
            implements IterationListener<Integer> {
        private int sum;

        @Override
        public void processElement(
                Integer value,
                ProcessFunction<Integer, Integer>.Context ctx,
                Collector<Integer> out) {
            sum += value;
        }

        @Override
        public void onRoundEnd(int round, IterationListener.Context ctx, Collector<Integer> out) {
            out.collect(sum);
            sum = 0;
        }
    }

    /**
     * Emits (key, running total) for every record: the sum of all values the key has seen in all
     * rounds, or, when counting, how many records it has seen.
     */
    private static final class RunningTotal
            extends KeyedProcessFunction<Integer, Integer, Tuple2<Integer, Long>> {
        private final boolean countRecords;
        private transient ValueState<Long> total;

        RunningTotal(boolean countRecords) {
            this.countRecords = countRecords;
        }

        @Override
        public void open(OpenContext openContext) {
            total = getRuntimeContext().getState(new ValueStateDescriptor<>("total", Types.LONG));
        }

        @Override
        public void processElement(Integer value, Context ctx, Collector<Tuple2<Integer, Long>> out)
                throws Exception {
            long updated = (total.value() == null ? 0 : total.value()) + (countRecords ? 1 : value);
            total.update(updated);
            out.collect(Tuple2.of(ctx.getCurrentKey(), updated));
        }
    }

    /** Counts and sums the data records of each round; emits (round, count, sum) at its end. */
    private static final class DataPerRound
            extends CoProcessFunction<Integer, Integer, Tuple3<Integer, Long, Long>>
            implements IterationListener<Tuple3<Integer, Long, Long>> {
        private long count;
        private long sum;

        @Override
        public void processElement1(
                Integer value,
                CoProcessFunction<Integer, Integer, Tuple3<Integer, Long, Long>>.Context ctx,
                Collector<Tuple3<Integer, Long, Long>> out) {
            count++;
            sum += value;
        }

        @Override
        public void processElement2(
                Integer value,
                CoProcessFunction<Integer, Integer, Tuple3<Integer, Long, Long>>.Context ctx,
                Collector<Tuple3<Integer, Long, Long>> out) {}

        @Override
        public void onRoundEnd(
                int round,
                IterationListener.Context context,
                Collector<Tuple3<Integer, Long, Long>> out) {
            out.collect(Tuple3.of(round, count, sum));
            count = 0;
            sum = 0;
        }
    }
}
