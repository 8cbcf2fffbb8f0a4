package io.github.flinkiteration.flinkml.common.broadcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkiteration.flinkml.DataStreamList;
import io.github.flinkiteration.flinkml.IterationBodyResult;
import io.github.flinkiteration.flinkml.IterationConfig;
import io.github.flinkiteration.flinkml.Iterations;
import io.github.flinkiteration.flinkml.ReplayableDataStreamList;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.apache.flink.api.common.functions.BroadcastVariableInitializer;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.co.CoMapFunction;
import org.apache.flink.streaming.api.functions.co.RichCoMapFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Broadcast variables read as flink-ml's functions read them, at parallelism 4. */
class BroadcastUtilsTest {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(2)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final List<Integer> VALUES = IntStream.range(0, 200).boxed().toList();
    private static final List<Integer> OFFSETS = List.of(3, 5, 7, 11);

    @Test
    void everySubtaskReadsTheWholeVariableBeforeItsFirstRecord() throws Exception {
        StreamExecutionEnvironment env = env();
        // The variable comes slowly, so the operator's own records arrive long before it ends.
        DataStream<Integer> offsets =
                env.fromData(OFFSETS).map(new Slow(300)).setParallelism(2).name("slow offsets");
        DataStream<Integer> shifted =
                BroadcastUtils.withBroadcastStream(
                        List.of(env.fromData(VALUES).rebalance()),
                        Map.of("offsets", offsets),
                        in -> ints(in.get(0)).map(new AddOffsets()));

        List<Integer> result = collect(shifted);

        int sum = OFFSETS.stream().mapToInt(Integer::intValue).sum();
        assertThat(result)
                .containsExactlyInAnyOrderElementsOf(VALUES.stream().map(v -> v + sum).toList());
    }

    @Test
    void heldRecordsAndPartialVariablesSurviveAFailover() throws Exception {
        String run = FailOnceAfterCheckpoint.newRun();
        Configuration configuration = new Configuration();
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        configuration.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(4);
        env.enableCheckpointing(50);
        // The variable (60 values, 50 ms each) comes slowly and fails once after a checkpoint: by
        // then the operator holds all its own records and part of the variable, which the restore
        // must bring back.
        List<Integer> many = IntStream.range(0, 60).boxed().toList();
        DataStream<Integer> offsets =
                env.fromData(many)
                        .map(new Slow(50))
                        .setParallelism(1)
                        .map(new FailOnceAfterCheckpoint(run))
                        .setParallelism(1);
        DataStream<Integer> shifted =
                BroadcastUtils.withBroadcastStream(
                        List.of(env.fromData(VALUES).rebalance()),
                        Map.of("offsets", offsets),
                        in -> ints(in.get(0)).map(new AddOffsets()));

        List<Integer> result = collect(shifted);

        assertThat(FailOnceAfterCheckpoint.failed(run)).as("the failure happened").isTrue();
        int sum = many.stream().mapToInt(Integer::intValue).sum();
        assertThat(result)
                .containsExactlyInAnyOrderElementsOf(VALUES.stream().map(v -> v + sum).toList());
    }

    @Test
    void twoInputsAndTwoVariablesWithAnInitializer() throws Exception {
        StreamExecutionEnvironment env = env();
        DataStream<Integer> left = env.fromData(VALUES).rebalance();
        DataStream<Integer> right = env.fromData(List.of(1000, 2000)).rebalance();
        DataStream<Integer> result =
                BroadcastUtils.withBroadcastStream(
                        List.of(left, right),
                        Map.of(
                                "offsets",
                                env.fromData(OFFSETS),
                                "factor",
                                env.fromData(List.of(10))),
                        in ->
                                ints(in.get(0))
                                        .connect(ints(in.get(1)))
                                        .map(new ScaleAndShift(), Types.INT));

        int sum = OFFSETS.stream().mapToInt(Integer::intValue).sum();
        List<Integer> expected = new ArrayList<>();
        VALUES.forEach(v -> expected.add(10 * v + sum));
        expected.add(-1000 * 10);
        expected.add(-2000 * 10);
        assertThat(collect(result)).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void aKeyedOperatorIsRejectedWhenTheGraphIsBuilt() {
        StreamExecutionEnvironment env = env();
        assertThatThrownBy(
                        () ->
                                BroadcastUtils.withBroadcastStream(
                                        List.of(env.fromData(VALUES)),
                                        Map.of("offsets", env.fromData(OFFSETS)),
                                        in ->
                                                ints(in.get(0))
                                                        .keyBy(v -> v % 3)
                                                        .map(new AddOffsets())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reads a keyed stream")
                .hasMessageContaining("Apply it before keyBy");
    }

    @Test
    void aStreamNotMadeByAnOperatorIsRejected() {
        StreamExecutionEnvironment env = env();
        assertThatThrownBy(
                        () ->
                                BroadcastUtils.withBroadcastStream(
                                        List.of(env.fromData(VALUES), env.fromData(VALUES)),
                                        Map.of("offsets", env.fromData(OFFSETS)),
                                        in -> ints(in.get(0)).union(ints(in.get(1)))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("UnionTransformation")
                .hasMessageContaining("one- or two-input operator");
    }

    @Test
    void insideAnIterationBodyItIsRejected() {
        StreamExecutionEnvironment env = env();
        assertThatThrownBy(
                        () ->
                                Iterations.iterateBoundedStreamsUntilTermination(
                                        DataStreamList.of(env.fromData(1, 2, 3)),
                                        ReplayableDataStreamList.notReplay(env.fromData(OFFSETS)),
                                        IterationConfig.newBuilder().build(),
                                        (variables, data) -> {
                                            DataStream<Integer> next =
                                                    BroadcastUtils.withBroadcastStream(
                                                            List.of(variables.get(0)),
                                                            Map.of("offsets", data.get(0)),
                                                            in ->
                                                                    ints(in.get(0))
                                                                            .map(new AddOffsets()));
                                            return new IterationBodyResult(
                                                    DataStreamList.of(next),
                                                    DataStreamList.of(next));
                                        }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not supported inside an iteration body")
                .hasMessageContaining("Apply it outside the iteration");
    }

    @Test
    void noInputIsRejected() {
        StreamExecutionEnvironment env = env();
        assertThatThrownBy(
                        () ->
                                BroadcastUtils.withBroadcastStream(
                                        List.of(),
                                        Map.of("offsets", env.fromData(OFFSETS)),
                                        in -> null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one input stream");
    }

    /** The inputs come back as {@code DataStream<?>}, as in flink-ml's signature. */
    @SuppressWarnings("unchecked")
    private static DataStream<Integer> ints(DataStream<?> stream) {
        return (DataStream<Integer>) stream;
    }

    private static StreamExecutionEnvironment env() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(4);
        return env;
    }

    private static <T> List<T> collect(DataStream<T> stream) throws Exception {
        List<T> result = new ArrayList<>();
        stream.executeAndCollect().forEachRemaining(result::add);
        return result;
    }

    /** Adds the sum of the broadcast variable "offsets" to each value. */
    static class AddOffsets extends RichMapFunction<Integer, Integer> {
        @Override
        public Integer map(Integer value) {
            if (!getRuntimeContext().hasBroadcastVariable("offsets")) {
                throw new IllegalStateException("no variable 'offsets'");
            }
            List<Integer> offsets = getRuntimeContext().getBroadcastVariable("offsets");
            return value + offsets.stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** Left: factor × value + Σ offsets (through an initializer); right: −factor × value. */
    static class ScaleAndShift extends RichCoMapFunction<Integer, Integer, Integer>
            implements CoMapFunction<Integer, Integer, Integer> {
        @Override
        public Integer map1(Integer value) {
            int sum =
                    getRuntimeContext()
                            .getBroadcastVariableWithInitializer(
                                    "offsets",
                                    (BroadcastVariableInitializer<Integer, Integer>)
                                            data -> {
                                                int s = 0;
                                                for (int v : data) {
                                                    s += v;
                                                }
                                                return s;
                                            });
            return factor() * value + sum;
        }

        @Override
        public Integer map2(Integer value) {
            return -factor() * value;
        }

        private int factor() {
            return getRuntimeContext().<Integer>getBroadcastVariable("factor").get(0);
        }
    }

    /** Passes values on; fails the job once, at the first value after a completed checkpoint. */
    static class FailOnceAfterCheckpoint extends RichMapFunction<Integer, Integer>
            implements CheckpointListener {
        private static final Map<String, AtomicBoolean> FAILED = new ConcurrentHashMap<>();
        private static final Map<String, AtomicBoolean> CHECKPOINTED = new ConcurrentHashMap<>();

        private final String run;

        FailOnceAfterCheckpoint(String run) {
            this.run = run;
        }

        static String newRun() {
            String run = UUID.randomUUID().toString();
            FAILED.put(run, new AtomicBoolean());
            CHECKPOINTED.put(run, new AtomicBoolean());
            return run;
        }

        static boolean failed(String run) {
            return FAILED.get(run).get();
        }

        @Override
        public Integer map(Integer value) {
            if (CHECKPOINTED.get(run).get() && FAILED.get(run).compareAndSet(false, true)) {
                throw new IllegalStateException("Injected failure");
            }
            return value;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            CHECKPOINTED.get(run).set(true);
        }
    }

    /** Passes values on after a pause. */
    static class Slow extends RichMapFunction<Integer, Integer> {
        private final long millis;

        Slow(long millis) {
            this.millis = millis;
        }

        @Override
        public Integer map(Integer value) throws Exception {
            Thread.sleep(millis);
            return value;
        }
    }
}
