package io.github.flinkiteration.flinkml.common.datastream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkiteration.flinkml.common.window.CountTumblingWindows;
import io.github.flinkiteration.flinkml.common.window.EventTimeSessionWindows;
import io.github.flinkiteration.flinkml.common.window.EventTimeTumblingWindows;
import io.github.flinkiteration.flinkml.common.window.ProcessingTimeSessionWindows;
import io.github.flinkiteration.flinkml.common.window.ProcessingTimeTumblingWindows;
import io.github.flinkiteration.flinkml.common.window.Windows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.memory.ManagedMemoryUseCase;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code windowAllAndProcess} for each kind of {@link Windows}, {@code sample}, {@code
 * generateBatchData} and {@code setManagedMemoryWeight}, at parallelism 4, against plain Java.
 */
class WindowsSamplesAndBatchesTest {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(2)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final int PARALLELISM = 4;

    @Test
    void countTumblingWindowsSumEveryTenValuesAndDropTheRest() throws Exception {
        DataStream<Integer> values = inOrder(env(), 105);

        List<Integer> sums =
                collect(
                        DataStreamUtils.windowAllAndProcess(
                                values,
                                CountTumblingWindows.of(10),
                                new DataStreamUtilsTest.SumOfWindow()));

        List<Integer> expected = new ArrayList<>();
        for (int window = 0; window < 10; window++) {
            expected.add(IntStream.range(window * 10, window * 10 + 10).sum());
        }
        assertThat(sums).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void eventTimeWindowsFollowTheTimestamps() throws Exception {
        // Values 0 … 99 with their value as timestamp; 200 … 209 after a gap.
        List<Integer> values = new ArrayList<>(IntStream.range(0, 100).boxed().toList());
        IntStream.range(200, 210).forEach(values::add);

        List<Integer> tumbling =
                collect(
                        DataStreamUtils.windowAllAndProcess(
                                timestamped(env(), values),
                                EventTimeTumblingWindows.of(Duration.ofMillis(25)),
                                new DataStreamUtilsTest.SumOfWindow(),
                                Types.INT));
        List<Integer> sessions =
                collect(
                        DataStreamUtils.windowAllAndProcess(
                                timestamped(env(), values),
                                EventTimeSessionWindows.withGap(Duration.ofMillis(50)),
                                new DataStreamUtilsTest.SumOfWindow(),
                                Types.INT));

        List<Integer> expectedTumbling = new ArrayList<>();
        for (int start = 0; start < 100; start += 25) {
            expectedTumbling.add(IntStream.range(start, start + 25).sum());
        }
        expectedTumbling.add(IntStream.range(200, 210).sum());
        assertThat(tumbling).containsExactlyInAnyOrderElementsOf(expectedTumbling);
        assertThat(sessions)
                .containsExactlyInAnyOrder(
                        IntStream.range(0, 100).sum(), IntStream.range(200, 210).sum());
    }

    @Test
    void processingTimeWindowsUseFlinksAssigners() {
        // Their windows depend on the clock; the graph shows which assigner was chosen.
        DataStream<Integer> values = inOrder(env(), 10);
        String tumbling =
                DataStreamUtils.windowAllAndProcess(
                                values,
                                ProcessingTimeTumblingWindows.of(Duration.ofSeconds(2)),
                                new DataStreamUtilsTest.SumOfWindow())
                        .getTransformation()
                        .getName();
        String sessions =
                DataStreamUtils.windowAllAndProcess(
                                values,
                                ProcessingTimeSessionWindows.withGap(Duration.ofSeconds(3)),
                                new DataStreamUtilsTest.SumOfWindow())
                        .getTransformation()
                        .getName();

        assertThat(tumbling).contains("TumblingProcessingTimeWindows(2000");
        assertThat(sessions).contains("ProcessingTimeSessionWindows(3000)");
    }

    @Test
    void unknownWindowsAreRejected() {
        Windows custom = new Windows() {};
        assertThatThrownBy(
                        () ->
                                DataStreamUtils.windowAllAndProcess(
                                        inOrder(env(), 10),
                                        custom,
                                        new DataStreamUtilsTest.SumOfWindow()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("io.github.flinkiteration.flinkml.common.window");
    }

    @Test
    void sampleDrawsDistinctRecordsOfTheInput() throws Exception {
        DataStream<Integer> values = env().fromSequence(0, 999).map(Long::intValue, Types.INT);
        DataStream<Integer> sampled = DataStreamUtils.sample(values, 100, 7L);
        assertThat(sampled.getParallelism()).isEqualTo(PARALLELISM);

        List<Integer> sample = collect(sampled);

        assertThat(sample).hasSize(100).doesNotHaveDuplicates().allMatch(v -> v >= 0 && v < 1000);
    }

    @Test
    void sampleOfFewerRecordsThanAskedIsAllOfThem() throws Exception {
        DataStream<Integer> values = env().fromSequence(0, 29).map(Long::intValue, Types.INT);

        assertThat(collect(DataStreamUtils.sample(values, 100, 7L)))
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 30).boxed().toList());
    }

    @Test
    void generateBatchDataGivesEverySubtaskItsSliceOfEachGlobalBatch() throws Exception {
        DataStream<Integer[]> batches =
                DataStreamUtils.generateBatchData(inOrder(env(), 105), 4, 10);

        List<Tuple2<Integer, Integer[]>> received =
                collect(
                        batches.map(new TagWithSubtask(), Types.TUPLE(Types.INT, batches.getType()))
                                .setParallelism(4));

        // Reference: global batch j holds 10j … 10j + 9; slices of 3, 3, 2 and 2 values.
        List<String> expected = new ArrayList<>();
        int[] sizes = {3, 3, 2, 2};
        for (int batch = 0; batch < 10; batch++) {
            int from = batch * 10;
            for (int subtask = 0; subtask < 4; subtask++) {
                Integer[] slice = new Integer[sizes[subtask]];
                for (int k = 0; k < slice.length; k++) {
                    slice[k] = from + k;
                }
                expected.add(subtask + ":" + Arrays.toString(slice));
                from += sizes[subtask];
            }
        }
        List<String> seen = new ArrayList<>();
        for (Tuple2<Integer, Integer[]> slice : received) {
            seen.add(slice.f0 + ":" + Arrays.toString(slice.f1));
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void managedMemoryWeightIsDeclaredOnceInMebibytes() {
        DataStream<Integer> mapped = inOrder(env(), 10).map(v -> v, Types.INT);

        DataStreamUtils.setManagedMemoryWeight(mapped.getTransformation(), 0);
        assertThat(mapped.getTransformation().getManagedMemoryOperatorScopeUseCaseWeights())
                .isEmpty();
        DataStreamUtils.setManagedMemoryWeight(mapped.getTransformation(), 64L << 20);
        assertThat(mapped.getTransformation().getManagedMemoryOperatorScopeUseCaseWeights())
                .containsEntry(ManagedMemoryUseCase.OPERATOR, 64);
        assertThatThrownBy(
                        () ->
                                DataStreamUtils.setManagedMemoryWeight(
                                        mapped.getTransformation(), 100))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already declared a managed memory weight of 64");
    }

    /** Emits each batch with the index of the subtask that received it. */
    static class TagWithSubtask extends RichMapFunction<Integer[], Tuple2<Integer, Integer[]>> {
        @Override
        public Tuple2<Integer, Integer[]> map(Integer[] batch) {
            return Tuple2.of(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), batch);
        }
    }

    /** Values 0 … count − 1 from one source subtask, in order. */
    private static DataStream<Integer> inOrder(StreamExecutionEnvironment env, int count) {
        return env.fromSequence(0, count - 1)
                .setParallelism(1)
                .map(Long::intValue, Types.INT)
                .setParallelism(1);
    }

    private static DataStream<Integer> timestamped(
            StreamExecutionEnvironment env, List<Integer> values) {
        return env.fromData(values)
                .assignTimestampsAndWatermarks(
                        WatermarkStrategy.<Integer>forMonotonousTimestamps()
                                .withTimestampAssigner((v, previous) -> v))
                .setParallelism(1);
    }

    private static StreamExecutionEnvironment env() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(PARALLELISM);
        return env;
    }

    private static <T> List<T> collect(DataStream<T> stream) throws Exception {
        List<T> result = new ArrayList<>();
        stream.executeAndCollect().forEachRemaining(result::add);
        return result;
    }
}
