package io.github.flinkiteration.flinkml.common.datastream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkiteration.flinkml.DataStreamList;
import io.github.flinkiteration.flinkml.IterationBody;
import io.github.flinkiteration.flinkml.IterationBodyResult;
import io.github.flinkiteration.flinkml.IterationConfig;
import io.github.flinkiteration.flinkml.Iterations;
import io.github.flinkiteration.flinkml.ReplayableDataStreamList;
import io.github.flinkiteration.flinkml.common.iteration.TerminateOnMaxIter;
import io.github.flinkiteration.flinkml.common.window.GlobalWindows;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.windowing.ProcessAllWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The whole-input operations, at parallelism 4, against sums computed in plain Java. */
class DataStreamUtilsTest {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(2)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final int PARALLELISM = 4;

    private static final List<Integer> VALUES = new ArrayList<>();

    static {
        for (int i = 1; i <= 100; i++) {
            VALUES.add(i);
        }
    }

    @Test
    void allReduceSumGivesEverySubtaskTheSum() throws Exception {
        StreamExecutionEnvironment env = env();
        // One record broadcast to 4 subtasks: exactly one array per subtask.
        DataStream<double[]> arrays = env.fromData(0).broadcast().map(new SubtaskArray());

        List<double[]> sums = collect(DataStreamUtils.allReduceSum(arrays));

        double[] expected = new double[3];
        for (int subtask = 0; subtask < PARALLELISM; subtask++) {
            double[] array = SubtaskArray.of(subtask);
            for (int i = 0; i < expected.length; i++) {
                expected[i] += array[i];
            }
        }
        assertThat(sums).hasSize(PARALLELISM).allSatisfy(s -> assertThat(s).isEqualTo(expected));
    }

    @Test
    void allReduceSumOfNoArrayGivesNothing() throws Exception {
        StreamExecutionEnvironment env = env();
        DataStream<double[]> none =
                env.fromData(0).filter(x -> false).broadcast().map(new SubtaskArray());

        assertThat(collect(DataStreamUtils.allReduceSum(none))).isEmpty();
    }

    @Test
    void allReduceSumFailsOnTwoArraysInOneSubtask() {
        StreamExecutionEnvironment env = env();
        DataStream<double[]> twoEach = env.fromData(0, 1).broadcast().map(new SubtaskArray());

        assertThatThrownBy(() -> collect(DataStreamUtils.allReduceSum(twoEach)))
                .hasStackTraceContaining("more than one double array");
    }

    @Test
    void mapPartitionSeesAllRecordsOfItsSubtaskOnce() throws Exception {
        StreamExecutionEnvironment env = env();
        // Round-robin from one source subtask: 25 values per subtask.
        DataStream<Integer> values = env.fromData(VALUES).rebalance().map(v -> v, Types.INT);

        List<double[]> partitions =
                collect(DataStreamUtils.mapPartition(values, new SumAndCount()));

        assertThat(partitions).hasSize(PARALLELISM).allSatisfy(p -> assertThat(p[1]).isEqualTo(25));
        assertThat(partitions.stream().mapToDouble(p -> p[0]).sum()).isEqualTo(plainSum());
    }

    @Test
    void mapPartitionWithAnOutputType() throws Exception {
        StreamExecutionEnvironment env = env();
        DataStream<Integer> values = env.fromData(VALUES).rebalance().map(v -> v, Types.INT);

        List<Integer> counts =
                collect(
                        DataStreamUtils.mapPartition(
                                values,
                                (Iterable<Integer> in, Collector<Integer> out) -> {
                                    int n = 0;
                                    for (Integer ignored : in) {
                                        n++;
                                    }
                                    out.collect(n);
                                },
                                Types.INT));

        assertThat(counts).containsExactly(25, 25, 25, 25);
    }

    @Test
    void reduceGivesOneRecordOrNone() throws Exception {
        DataStream<Integer> values = env().fromData(VALUES).rebalance().map(v -> v, Types.INT);
        assertThat(collect(DataStreamUtils.reduce(values, Integer::sum)))
                .containsExactly((int) plainSum());

        DataStream<Integer> none = env().fromData(VALUES).filter(v -> false).rebalance();
        assertThat(collect(DataStreamUtils.reduce(none, Integer::sum, Types.INT))).isEmpty();
    }

    @Test
    void aggregateGivesOneRecordAlsoForNoInput() throws Exception {
        DataStream<Integer> values = env().fromData(VALUES).rebalance().map(v -> v, Types.INT);
        assertThat(collect(DataStreamUtils.aggregate(values, new Mean())))
                .containsExactly(plainSum() / VALUES.size());

        DataStream<Integer> none = env().fromData(VALUES).filter(v -> false).rebalance();
        List<Double> empty = collect(DataStreamUtils.aggregate(none, new Mean()));
        assertThat(empty).hasSize(1);
        assertThat(empty.get(0)).isNaN();
    }

    @Test
    void mapPartitionAndAllReduceSumRunOncePerRoundInsideForEachRound() throws Exception {
        int maxIter = 3;
        StreamExecutionEnvironment env = env();
        DataStreamList outputs =
                inForEachRound(
                        env,
                        maxIter,
                        spread -> {
                            DataStream<double[]> partial =
                                    DataStreamUtils.mapPartition(spread, new SumAndCount());
                            return DataStreamList.of(
                                    partial, DataStreamUtils.allReduceSum(partial));
                        });
        CloseableIterator<double[]> partialRecords = outputs.<double[]>get(0).collectAsync();
        CloseableIterator<double[]> totalRecords = outputs.<double[]>get(1).collectAsync();
        env.execute();
        List<double[]> partials = new ArrayList<>();
        partialRecords.forEachRemaining(partials::add);
        List<double[]> totals = new ArrayList<>();
        totalRecords.forEachRemaining(totals::add);

        // Per round: each of the 4 subtasks maps its 25 values once; every subtask gets the sum.
        assertThat(partials)
                .hasSize(maxIter * PARALLELISM)
                .allSatisfy(p -> assertThat(p[1]).isEqualTo(25));
        assertThat(partials.stream().mapToDouble(p -> p[0]).sum()).isEqualTo(maxIter * plainSum());
        assertThat(totals)
                .hasSize(maxIter * PARALLELISM)
                .allSatisfy(t -> assertThat(t).containsExactly(plainSum(), (double) VALUES.size()));
    }

    @Test
    void reduceAndAggregateGiveOneRecordPerRoundInsideForEachRound() throws Exception {
        int maxIter = 3;
        StreamExecutionEnvironment env = env();
        DataStreamList outputs =
                inForEachRound(
                        env,
                        maxIter,
                        spread ->
                                DataStreamList.of(
                                        DataStreamUtils.reduce(spread, Integer::sum),
                                        DataStreamUtils.aggregate(spread, new Mean())));
        CloseableIterator<Integer> sumRecords = outputs.<Integer>get(0).collectAsync();
        CloseableIterator<Double> meanRecords = outputs.<Double>get(1).collectAsync();
        env.execute();
        List<Integer> sums = new ArrayList<>();
        sumRecords.forEachRemaining(sums::add);
        List<Double> means = new ArrayList<>();
        meanRecords.forEachRemaining(means::add);

        assertThat(sums).hasSize(maxIter).containsOnly((int) plainSum());
        assertThat(means).hasSize(maxIter).containsOnly(plainSum() / VALUES.size());
    }

    @Test
    void keyedReduceGivesOneRecordPerKey() throws Exception {
        DataStream<Tuple2<Integer, Integer>> pairs =
                env().fromData(VALUES)
                        .rebalance()
                        .map(v -> Tuple2.of(v % 3, v), Types.TUPLE(Types.INT, Types.INT));

        List<Tuple2<Integer, Integer>> sums =
                collect(DataStreamUtils.reduce(pairs.keyBy(t -> t.f0), DataStreamUtilsTest::add));

        assertThat(sums).containsExactlyInAnyOrderElementsOf(plainSumsByKey());
    }

    @Test
    void keyedReduceAndGlobalWindowsGiveOneResultPerRoundInsideForEachRound() throws Exception {
        int maxIter = 3;
        StreamExecutionEnvironment env = env();
        DataStreamList outputs =
                inForEachRound(
                        env,
                        maxIter,
                        spread ->
                                DataStreamList.of(
                                        DataStreamUtils.reduce(
                                                spread.map(
                                                                v -> Tuple2.of(v % 3, v),
                                                                Types.TUPLE(Types.INT, Types.INT))
                                                        .keyBy(t -> t.f0),
                                                DataStreamUtilsTest::add),
                                        DataStreamUtils.windowAllAndProcess(
                                                spread,
                                                GlobalWindows.getInstance(),
                                                new SumOfWindow(),
                                                Types.INT)));
        CloseableIterator<Tuple2<Integer, Integer>> keyedRecords =
                outputs.<Tuple2<Integer, Integer>>get(0).collectAsync();
        CloseableIterator<Integer> windowRecords = outputs.<Integer>get(1).collectAsync();
        env.execute();
        List<Tuple2<Integer, Integer>> keyed = new ArrayList<>();
        keyedRecords.forEachRemaining(keyed::add);
        List<Integer> windows = new ArrayList<>();
        windowRecords.forEachRemaining(windows::add);

        List<Tuple2<Integer, Integer>> expected = new ArrayList<>();
        for (int round = 0; round < maxIter; round++) {
            expected.addAll(plainSumsByKey());
        }
        assertThat(keyed).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(windows).hasSize(maxIter).containsOnly((int) plainSum());
    }

    private static Tuple2<Integer, Integer> add(
            Tuple2<Integer, Integer> a, Tuple2<Integer, Integer> b) {
        return Tuple2.of(a.f0, a.f1 + b.f1);
    }

    private static List<Tuple2<Integer, Integer>> plainSumsByKey() {
        int[] sums = new int[3];
        for (int v : VALUES) {
            sums[v % 3] += v;
        }
        return List.of(Tuple2.of(0, sums[0]), Tuple2.of(1, sums[1]), Tuple2.of(2, sums[2]));
    }

    /** The sum of a window's values. */
    static class SumOfWindow extends ProcessAllWindowFunction<Integer, Integer, TimeWindow> {
        @Override
        public void process(Context context, Iterable<Integer> values, Collector<Integer> out) {
            int sum = 0;
            for (int v : values) {
                sum += v;
            }
            out.collect(sum);
        }
    }

    /**
     * A bounded iteration of {@code maxIter} rounds whose per-round part ({@code
     * IterationBody.forEachRound}) applies {@code perRound} to the replayed values, spread evenly
     * over the subtasks; returns that part's outputs.
     */
    private static DataStreamList inForEachRound(
            StreamExecutionEnvironment env,
            int maxIter,
            Function<DataStream<Integer>, DataStreamList> perRound) {
        return Iterations.iterateBoundedStreamsUntilTermination(
                DataStreamList.of(env.fromData(0)),
                ReplayableDataStreamList.replay(env.fromData(VALUES)),
                IterationConfig.newBuilder().build(),
                (variables, data) -> {
                    DataStream<Integer> next = variables.<Integer>get(0).map(v -> v + 1);
                    DataStreamList outputs =
                            IterationBody.forEachRound(
                                    DataStreamList.of(data.get(0)),
                                    in ->
                                            perRound.apply(
                                                    in.<Integer>get(0)
                                                            .rebalance()
                                                            .map(v -> v, Types.INT)));
                    return new IterationBodyResult(
                            DataStreamList.of(next),
                            outputs,
                            next.flatMap(new TerminateOnMaxIter<>(maxIter)));
                });
    }

    private static StreamExecutionEnvironment env() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(PARALLELISM);
        return env;
    }

    private static <T> List<T> collect(DataStream<T> stream) throws Exception {
        List<T> result = new ArrayList<>();
        stream.executeAndCollect().forEachRemaining(result::add);
        return Collections.unmodifiableList(result);
    }

    private static double plainSum() {
        double sum = 0;
        for (int v : VALUES) {
            sum += v;
        }
        return sum;
    }
}
