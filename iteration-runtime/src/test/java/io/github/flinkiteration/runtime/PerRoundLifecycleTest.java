package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationConfig;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.api.OperatorLifecycle;
import io.github.flinkiteration.api.TerminationCondition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.InternalTimerServiceImpl;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.windowing.assigners.GlobalWindows;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Per-round operators ({@code forEachRound}, {@code OperatorLifecycle.PER_ROUND}) on a MiniCluster
 * at parallelism 2, on the hashmap and the RocksDB state backend: a fresh instance and fresh state
 * every round, end-of-input operators emitting at the end of each round, mixed with all-round
 * operators, and no state left behind from round to round. Expected results come from plain-Java
 * simulations of the same rounds.
 */
// A separate thread: the collect iterator swallows the interrupt of a same-thread timeout.
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PerRoundLifecycleTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    private static final int VALUES = 1000;
    private static final int ROUNDS = 5;
    private static final int KEYS = 10;
    private static final TypeInformation<Tuple2<Long, Long>> PAIR =
            Types.TUPLE(Types.LONG, Types.LONG);

    /** Per run: lifecycle calls of the probe operators, across subtasks and rounds. */
    private static final Map<String, Map<String, AtomicInteger>> CALLS = new ConcurrentHashMap<>();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void aPerRoundKeyedCountStartsFromZeroEveryRound(String backend) throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(2, backend);
        DataStream<Tuple2<Long, Long>> counts =
                new BoundedIteration()
                        .bindVariable("x", env.fromSequence(0, VALUES - 1))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Long> x = inputs.get("x");
                                    DataStream<Tuple2<Long, Long>> perRound =
                                            context.forEachRound(
                                                            () ->
                                                                    Map.of(
                                                                            "counts",
                                                                            x.keyBy(v -> v % KEYS)
                                                                                    .process(
                                                                                            new KeyedCount())
                                                                                    .returns(PAIR)))
                                                    .get("counts");
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", x.map(v -> v + 1))
                                            .withOutput("counts", perRound)
                                            .until(TerminationCondition.maxRounds(ROUNDS))
                                            .build();
                                })
                        .apply()
                        .get("counts");

        List<Tuple2<Long, Long>> expected = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            Map<Long, Long> perKey = new TreeMap<>();
            for (long v = 0; v < VALUES; v++) {
                long key = (v + round) % KEYS;
                expected.add(Tuple2.of(key, perKey.merge(key, 1L, Long::sum)));
            }
        }
        assertThat(FailoverTest.sorted(TestCluster.collect(counts)))
                .isEqualTo(FailoverTest.sorted(expected));
    }

    @Test
    void eachRoundHasItsOwnInstanceWithTheWholeLifecycle() throws Exception {
        String run = UUID.randomUUID().toString();
        CALLS.put(run, new ConcurrentHashMap<>());
        StreamExecutionEnvironment env = TestCluster.env(2);
        DataStream<Long> seen =
                new BoundedIteration()
                        .bindVariable("x", env.fromSequence(0, VALUES - 1))
                        .withConfig(
                                IterationConfig.builder()
                                        .defaultLifecycle(OperatorLifecycle.PER_ROUND)
                                        .build())
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Long> x = inputs.get("x");
                                    DataStream<Long> probe =
                                            x.transform(
                                                    "probe", Types.LONG, new LifecycleProbe(run));
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", x.map(v -> v + 1))
                                            .withOutput("seen", probe)
                                            .until(TerminationCondition.maxRounds(ROUNDS))
                                            .build();
                                })
                        .apply()
                        .get("seen");

        List<Long> perInstance = TestCluster.collect(seen);

        // Two subtasks, each with one instance per round, each emitting what it saw at its end.
        assertThat(perInstance).hasSize(2 * ROUNDS);
        assertThat(perInstance.stream().mapToLong(Long::longValue).sum())
                .isEqualTo((long) VALUES * ROUNDS);
        Map<String, AtomicInteger> calls = CALLS.get(run);
        for (String call : List.of("constructed", "open", "endInput", "finish", "close")) {
            assertThat(calls.get(call)).as(call).hasValue(2 * ROUNDS);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void anEndOfStreamWindowFiresOncePerRound(String backend) throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(2, backend);
        DataStream<Tuple2<Long, Long>> sums =
                new BoundedIteration()
                        .bindVariable("x", env.fromSequence(0, VALUES - 1))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Long> x = inputs.get("x");
                                    DataStream<Tuple2<Long, Long>> windowed =
                                            context.forEachRound(() -> Map.of("sums", keySums(x)))
                                                    .get("sums");
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", x.map(v -> v * 3 + 1))
                                            .withOutput("sums", windowed)
                                            .until(TerminationCondition.maxRounds(ROUNDS))
                                            .build();
                                })
                        .apply()
                        .get("sums");

        List<Tuple2<Long, Long>> expected = new ArrayList<>();
        for (Map<Long, Long> round : simulatedKeySums()) {
            round.forEach((key, sum) -> expected.add(Tuple2.of(key, sum)));
        }
        assertThat(FailoverTest.sorted(TestCluster.collect(sums)))
                .isEqualTo(FailoverTest.sorted(expected));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void aMixedBodyMatchesAPlainSimulation(String backend) throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(2, backend);
        DataStream<Tuple2<Long, Long>> totals =
                new BoundedIteration()
                        .bindVariable("x", env.fromSequence(0, VALUES - 1))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Long> x = inputs.get("x");
                                    DataStream<Tuple2<Long, Long>> windowed =
                                            context.forEachRound(() -> Map.of("sums", keySums(x)))
                                                    .get("sums");
                                    // All-round: totals across rounds live in keyed state.
                                    DataStream<Tuple2<Long, Long>> running =
                                            windowed.keyBy(s -> s.f0)
                                                    .process(new RunningTotal())
                                                    .returns(PAIR);
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", x.map(v -> v * 3 + 1))
                                            .withOutput("totals", running)
                                            .until(TerminationCondition.maxRounds(ROUNDS))
                                            .build();
                                })
                        .apply()
                        .get("totals");

        List<Tuple2<Long, Long>> expected = new ArrayList<>();
        Map<Long, Long> total = new TreeMap<>();
        for (Map<Long, Long> round : simulatedKeySums()) {
            round.forEach(
                    (key, sum) -> expected.add(Tuple2.of(key, total.merge(key, sum, Long::sum))));
        }
        assertThat(FailoverTest.sorted(TestCluster.collect(totals)))
                .isEqualTo(FailoverTest.sorted(expected));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void operatorListUnionAndBroadcastStateHoldOnlyTheCurrentRound(String backend)
            throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(2, backend);
        MapStateDescriptor<Long, Long> seenEverywhere =
                new MapStateDescriptor<>("seen-everywhere", Types.LONG, Types.LONG);
        var results =
                new BoundedIteration()
                        .bindVariable("x", env.fromSequence(0, VALUES - 1))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Long> x = inputs.get("x");
                                    var perRound =
                                            context.forEachRound(
                                                    () ->
                                                            Map.of(
                                                                    "lists",
                                                                    x.flatMap(new ListSizes())
                                                                            .returns(PAIR),
                                                                    "broadcast",
                                                                    x.connect(
                                                                                    x.broadcast(
                                                                                            seenEverywhere))
                                                                            .process(
                                                                                    new BroadcastSize(
                                                                                            seenEverywhere))
                                                                            .returns(Types.LONG)));
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", x.map(v -> v + VALUES))
                                            .withOutput("lists", perRound.get("lists"))
                                            .withOutput("broadcast", perRound.get("broadcast"))
                                            .until(TerminationCondition.maxRounds(ROUNDS))
                                            .build();
                                })
                        .apply();
        TestCluster.Collected<Tuple2<Long, Long>> lists =
                TestCluster.collectLater(results.<Tuple2<Long, Long>>get("lists"));
        TestCluster.Collected<Long> broadcast =
                TestCluster.collectLater(results.<Long>get("broadcast"));
        env.execute();

        // Per subtask and round: (list size, union list size) at the round's end. Both count
        // only this round's records; state left from earlier rounds would add to them.
        List<Tuple2<Long, Long>> listSizes = lists.list();
        assertThat(listSizes).hasSize(2 * ROUNDS).allSatisfy(s -> assertThat(s.f0).isEqualTo(s.f1));
        assertThat(listSizes.stream().mapToLong(s -> s.f0).sum()).isEqualTo((long) VALUES * ROUNDS);
        // Every subtask gets every broadcast value of the round, and only those.
        assertThat(broadcast.list()).hasSize(2 * ROUNDS).containsOnly((long) VALUES);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void stateAfterFiftyRoundsIsNoLargerThanAfterOne(String backend) throws Exception {
        int keys = 20_000;
        int rounds = 50;
        StreamExecutionEnvironment env = TestCluster.env(2, backend);
        DataStream<Tuple2<Long, Long>> sizes =
                new BoundedIteration()
                        .bindVariable("x", env.fromSequence(0, keys - 1))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Long> x = inputs.get("x");
                                    DataStream<Tuple2<Long, Long>> probed =
                                            context.forEachRound(
                                                            () ->
                                                                    Map.of(
                                                                            "sizes",
                                                                            x.keyBy(v -> v)
                                                                                    .transform(
                                                                                            "state probe",
                                                                                            PAIR,
                                                                                            new StateSizeProbe())))
                                                    .get("sizes");
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", x)
                                            .withOutput("sizes", probed)
                                            .until(TerminationCondition.maxRounds(rounds))
                                            .build();
                                })
                        .apply()
                        .get("sizes");

        // Per subtask and round: (keys with state + timers at open, keys with state at the end).
        List<Tuple2<Long, Long>> probes = TestCluster.collect(sizes);
        assertThat(probes).hasSize(2 * rounds);
        assertThat(probes)
                .as("what an instance finds in the backend when it opens")
                .allSatisfy(p -> assertThat(p.f0).isZero());
        assertThat(probes.stream().mapToLong(p -> p.f1).sum()).isEqualTo((long) keys * rounds);
    }

    // ---- the bodies' functions and operators ----

    private static DataStream<Tuple2<Long, Long>> keySums(DataStream<Long> x) {
        return x.map(v -> Tuple2.of(v % KEYS, v))
                .returns(PAIR)
                .keyBy(p -> p.f0)
                .window(GlobalWindows.createWithEndOfStreamTrigger())
                .reduce((a, b) -> Tuple2.of(a.f0, a.f1 + b.f1));
    }

    /** Per round, the sum of the values by key, with x ← 3x + 1 between rounds. */
    private static List<Map<Long, Long>> simulatedKeySums() {
        List<Map<Long, Long>> rounds = new ArrayList<>();
        List<Long> values = new ArrayList<>();
        for (long v = 0; v < VALUES; v++) {
            values.add(v);
        }
        for (int round = 0; round < ROUNDS; round++) {
            Map<Long, Long> sums = new TreeMap<>();
            for (long v : values) {
                sums.merge(v % KEYS, v, Long::sum);
            }
            rounds.add(sums);
            values.replaceAll(v -> v * 3 + 1);
        }
        return rounds;
    }

    static final class KeyedCount extends KeyedProcessFunction<Long, Long, Tuple2<Long, Long>> {
        private transient ValueState<Long> count;

        @Override
        public void open(OpenContext context) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Long.class));
        }

        @Override
        public void processElement(Long value, Context ctx, Collector<Tuple2<Long, Long>> out)
                throws Exception {
            long next = (count.value() == null ? 0 : count.value()) + 1;
            count.update(next);
            out.collect(Tuple2.of(ctx.getCurrentKey(), next));
        }
    }

    static final class RunningTotal
            extends KeyedProcessFunction<Long, Tuple2<Long, Long>, Tuple2<Long, Long>> {
        private transient ValueState<Long> total;

        @Override
        public void open(OpenContext context) {
            total = getRuntimeContext().getState(new ValueStateDescriptor<>("total", Long.class));
        }

        @Override
        public void processElement(
                Tuple2<Long, Long> value, Context ctx, Collector<Tuple2<Long, Long>> out)
                throws Exception {
            long next = (total.value() == null ? 0 : total.value()) + value.f1;
            total.update(next);
            out.collect(Tuple2.of(value.f0, next));
        }
    }

    /** Counts its open/endInput/finish/close calls and emits, at its end, how much it saw. */
    static final class LifecycleProbe extends AbstractStreamOperator<Long>
            implements OneInputStreamOperator<Long, Long>, BoundedOneInput {
        private final String run;
        private long seen;

        LifecycleProbe(String run) {
            this.run = run;
        }

        private void count(String call) {
            CALLS.get(run).computeIfAbsent(call, c -> new AtomicInteger()).incrementAndGet();
        }

        @Override
        public void open() throws Exception {
            super.open();
            // A fresh copy of the operator each round: its fields start from their initial values.
            count(seen == 0 ? "constructed" : "reused");
            count("open");
        }

        @Override
        public void processElement(StreamRecord<Long> element) {
            seen++;
        }

        @Override
        public void endInput() {
            count("endInput");
            output.collect(new StreamRecord<>(seen));
        }

        @Override
        public void finish() throws Exception {
            count("finish");
            super.finish();
        }

        @Override
        public void close() throws Exception {
            count("close");
            super.close();
        }
    }

    /**
     * Keeps every value in a list state and in a union list state; emits both sizes when its round
     * ends.
     */
    static final class ListSizes extends RichFlatMapFunction<Long, Tuple2<Long, Long>>
            implements CheckpointedFunction, IterationListener<Tuple2<Long, Long>> {
        private transient ListState<Long> list;
        private transient ListState<Long> union;

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            list =
                    context.getOperatorStateStore()
                            .getListState(new ListStateDescriptor<>("values", Types.LONG));
            union =
                    context.getOperatorStateStore()
                            .getUnionListState(new ListStateDescriptor<>("all-values", Types.LONG));
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {}

        @Override
        public void flatMap(Long value, Collector<Tuple2<Long, Long>> out) throws Exception {
            list.add(value);
            union.add(value);
        }

        @Override
        public void onRoundEnd(int round, Context context, Collector<Tuple2<Long, Long>> out)
                throws Exception {
            out.collect(Tuple2.of(size(list), size(union)));
        }

        private static long size(ListState<Long> state) throws Exception {
            long size = 0;
            for (Long ignored : state.get()) {
                size++;
            }
            return size;
        }
    }

    /** Puts every broadcast value into broadcast state; emits its size when the round ends. */
    static final class BroadcastSize extends BroadcastProcessFunction<Long, Long, Long>
            implements IterationListener<Long> {
        private final MapStateDescriptor<Long, Long> descriptor;
        private transient BroadcastState<Long, Long> state;

        BroadcastSize(MapStateDescriptor<Long, Long> descriptor) {
            this.descriptor = descriptor;
        }

        @Override
        public void processElement(Long value, ReadOnlyContext ctx, Collector<Long> out) {}

        @Override
        public void processBroadcastElement(
                Long value,
                BroadcastProcessFunction<Long, Long, Long>.Context ctx,
                Collector<Long> out)
                throws Exception {
            state = ctx.getBroadcastState(descriptor);
            state.put(value, value);
        }

        @Override
        public void onRoundEnd(int round, IterationListener.Context context, Collector<Long> out)
                throws Exception {
            long size = 0;
            if (state != null) {
                for (Map.Entry<Long, Long> ignored : state.entries()) {
                    size++;
                }
            }
            out.collect(size);
        }
    }

    /**
     * Keyed state and a processing-time timer far in the future for every key. When it opens it
     * counts what the backend holds for them (keys with state, timers pending); at its end, the
     * keys with state.
     */
    static final class StateSizeProbe extends AbstractStreamOperator<Tuple2<Long, Long>>
            implements OneInputStreamOperator<Long, Tuple2<Long, Long>>,
                    BoundedOneInput,
                    Triggerable<Long, VoidNamespace> {
        private static final String STATE = "probe-count";
        private transient ValueState<Long> count;
        private transient InternalTimerService<VoidNamespace> timers;
        private long foundAtOpen;

        @Override
        public void open() throws Exception {
            super.open();
            count =
                    getKeyedStateBackend()
                            .getPartitionedState(
                                    VoidNamespace.INSTANCE,
                                    VoidNamespaceSerializer.INSTANCE,
                                    new ValueStateDescriptor<>(STATE, Types.LONG));
            timers =
                    getInternalTimerService("probe-timers", VoidNamespaceSerializer.INSTANCE, this);
            foundAtOpen =
                    keysWithState()
                            + ((InternalTimerServiceImpl<?, ?>) timers).numProcessingTimeTimers();
        }

        private long keysWithState() {
            return getKeyedStateBackend().getKeys(STATE, VoidNamespace.INSTANCE).count();
        }

        @Override
        public void processElement(StreamRecord<Long> element) throws Exception {
            count.update(element.getValue());
            timers.registerProcessingTimeTimer(
                    VoidNamespace.INSTANCE,
                    getProcessingTimeService().getCurrentProcessingTime() + 3_600_000);
        }

        @Override
        public void endInput() {
            output.collect(new StreamRecord<>(Tuple2.of(foundAtOpen, keysWithState())));
        }

        @Override
        public void onEventTime(InternalTimer<Long, VoidNamespace> timer) {}

        @Override
        public void onProcessingTime(InternalTimer<Long, VoidNamespace> timer) {}
    }
}
