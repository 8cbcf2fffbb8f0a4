package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.api.RoundAwareProcessFunction;
import io.github.flinkiteration.api.TerminationCondition;
import io.github.flinkiteration.api.UnboundedIteration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.co.CoProcessFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A map inside the body fails once, after a checkpoint, early, midway or late in the run; the job
 * restores from the checkpoint and must give exactly the results of a failure-free run, computed
 * here in plain Java: no feedback record, replayed record, keyed-state update or round callback
 * lost or repeated. Each body kind runs on the hashmap and the RocksDB state backend.
 */
// A separate thread: the collect iterator swallows the interrupt of a same-thread timeout. A lost
// round marker would leave a job waiting forever, so the timeout turns that into a failure.
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FailoverTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    private static final TypeInformation<Tuple2<Long, Long>> PAIR =
            Types.TUPLE(Types.LONG, Types.LONG);

    static Stream<Arguments> backendsAndFailurePoints() {
        List<Arguments> cases = new ArrayList<>();
        for (String backend : List.of("hashmap", "rocksdb")) {
            for (double at : List.of(0.1, 0.5, 0.9)) {
                cases.add(Arguments.of(backend, at));
            }
        }
        return cases.stream();
    }

    // ---- a bounded body with all-round keyed state ----

    private static final int VALUES = 1200;
    private static final int ROUNDS = 20;
    private static final long MODULUS = 1_000_003;

    @ParameterizedTest(name = "{0}, failing after {1} of the records")
    @MethodSource("backendsAndFailurePoints")
    void boundedBodyWithKeyedStateRecoversExactly(String backend, double failAt) throws Exception {
        String run = InjectedFailure.newRun();
        StreamExecutionEnvironment env = checkpointedEnv(4, backend);
        var results =
                new BoundedIteration()
                        .bindVariable("values", env.fromData(identityPairs()))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Tuple2<Long, Long>> values = inputs.get("values");
                                    DataStream<Tuple2<Long, Long>> next =
                                            failingStep(values, run, failAt, new Pacer<>());
                                    DataStream<Tuple2<Long, Long>> counts =
                                            values.keyBy(v -> v.f0 % 16)
                                                    .process(new KeyedCount())
                                                    .returns(PAIR);
                                    return IterationDeclaration.builder()
                                            .withFeedback("values", next)
                                            .withOutput("values", next)
                                            .withOutput("counts", counts)
                                            .until(TerminationCondition.maxRounds(ROUNDS))
                                            .build();
                                })
                        .apply();
        TestCluster.Collected<Tuple2<Long, Long>> values =
                TestCluster.collectLater(results.<Tuple2<Long, Long>>get("values"));
        TestCluster.Collected<Tuple2<Long, Long>> counts =
                TestCluster.collectLater(results.<Tuple2<Long, Long>>get("counts"));
        env.execute();

        List<Tuple2<Long, Long>> expectedValues = expectedSteps();
        List<Tuple2<Long, Long>> expectedCounts = new ArrayList<>();
        long[] perKey = new long[16];
        for (long id = 0; id < VALUES; id++) {
            perKey[(int) (id % 16)] += ROUNDS;
        }
        for (int key = 0; key < 16; key++) {
            for (long count = 1; count <= perKey[key]; count++) {
                expectedCounts.add(Tuple2.of((long) key, count));
            }
        }
        assertFailedAndRestored(run);
        assertThat(sorted(values.list())).isEqualTo(sorted(expectedValues));
        assertThat(sorted(counts.list())).isEqualTo(sorted(expectedCounts));
    }

    /** The body's step, after a record that fails the job once at {@code failAt}, then paced. */
    private static DataStream<Tuple2<Long, Long>> failingStep(
            DataStream<Tuple2<Long, Long>> values,
            String run,
            double failAt,
            MapFunction<Tuple2<Long, Long>, Tuple2<Long, Long>> pace) {
        return values.process(new InjectedFailure<>(run, (long) (failAt * VALUES * ROUNDS)))
                .returns(PAIR)
                .map(FailoverTest::step)
                .returns(PAIR)
                .map(pace)
                .returns(PAIR);
    }

    /** (id, value) after every round of {@link #step}, for ids 0 to {@code VALUES - 1}. */
    private static List<Tuple2<Long, Long>> expectedSteps() {
        List<Tuple2<Long, Long>> expected = new ArrayList<>();
        for (long id = 0; id < VALUES; id++) {
            long x = id;
            for (int round = 0; round < ROUNDS; round++) {
                x = step(Tuple2.of(id, x)).f1;
                expected.add(Tuple2.of(id, x));
            }
        }
        return expected;
    }

    private static Tuple2<Long, Long> step(Tuple2<Long, Long> value) {
        return Tuple2.of(value.f0, (value.f1 * 31 + value.f0) % MODULUS);
    }

    // ---- rounds decided in the data plane, one head subtask lagging behind the other ----

    /**
     * A forward-only body at parallelism 2 whose subtask 1 ends each round about 60 ms after
     * subtask 0: head 0 waits for each decision while head 1 is still busy, so checkpoints find the
     * heads in different rounds and the round deciders between decisions. The deciders restore
     * their last decision and hand it to their heads again; a head that had applied it before the
     * checkpoint ignores it.
     */
    @ParameterizedTest(name = "{0}, failing after {1} of the records")
    @MethodSource("backendsAndFailurePoints")
    void dataPlaneDecisionsRecoverExactly(String backend, double failAt) throws Exception {
        String run = InjectedFailure.newRun();
        StreamExecutionEnvironment env = checkpointedEnv(2, backend);
        DataStream<Tuple2<Long, Long>> initial =
                env.fromData(identityPairs()).rebalance().map(v -> v).returns(PAIR);
        var results =
                new BoundedIteration()
                        .bindVariable("values", initial)
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Tuple2<Long, Long>> next =
                                            failingStep(
                                                    inputs.get("values"),
                                                    run,
                                                    failAt,
                                                    new LateOnSubtaskOne<>());
                                    return IterationDeclaration.builder()
                                            .withFeedback("values", next)
                                            .withOutput("values", next)
                                            .until(TerminationCondition.maxRounds(ROUNDS))
                                            .build();
                                })
                        .apply();
        List<Tuple2<Long, Long>> values = TestCluster.collect(results.get("values"));

        assertFailedAndRestored(run);
        assertThat(sorted(values)).isEqualTo(sorted(expectedSteps()));
    }

    /** Ends every round about 60 ms late on subtask 1 only. */
    static final class LateOnSubtaskOne<T> extends RichMapFunction<T, T>
            implements IterationListener<T> {
        @Override
        public T map(T value) {
            return value;
        }

        @Override
        public void onRoundEnd(int round, Context context, Collector<T> collector)
                throws InterruptedException {
            if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 1) {
                Thread.sleep(60);
            }
        }
    }

    // ---- a bounded body with a per-round keyed count ----

    @ParameterizedTest(name = "{0}, failing after {1} of the records")
    @MethodSource("backendsAndFailurePoints")
    void perRoundStateRecoversExactly(String backend, double failAt) throws Exception {
        // A checkpoint inside a round holds the per-round operator's state of that round; the
        // restored round's instance continues from it, later rounds start empty.
        String run = InjectedFailure.newRun();
        StreamExecutionEnvironment env = checkpointedEnv(4, backend);
        DataStream<Tuple2<Long, Long>> counts =
                new BoundedIteration()
                        .bindVariable("values", env.fromData(identityPairs()))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Tuple2<Long, Long>> values =
                                            inputs.<Tuple2<Long, Long>>get("values")
                                                    .process(
                                                            new InjectedFailure<>(
                                                                    run,
                                                                    (long)
                                                                            (failAt * VALUES
                                                                                    * ROUNDS)))
                                                    .returns(PAIR);
                                    DataStream<Tuple2<Long, Long>> perRound =
                                            context.forEachRound(
                                                            () ->
                                                                    Map.of(
                                                                            "counts",
                                                                            values.keyBy(
                                                                                            v ->
                                                                                                    v.f0
                                                                                                            % 16)
                                                                                    .process(
                                                                                            new KeyedCount())
                                                                                    .returns(PAIR)))
                                                    .get("counts");
                                    return IterationDeclaration.builder()
                                            .withFeedback(
                                                    "values",
                                                    values.map(new Pacer<>()).returns(PAIR))
                                            .withOutput("counts", perRound)
                                            .until(TerminationCondition.maxRounds(ROUNDS))
                                            .build();
                                })
                        .apply()
                        .get("counts");
        List<Tuple2<Long, Long>> outputs = TestCluster.collect(counts);

        List<Tuple2<Long, Long>> expected = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            long[] perKey = new long[16];
            for (long id = 0; id < VALUES; id++) {
                int key = (int) (id % 16);
                expected.add(Tuple2.of((long) key, ++perKey[key]));
            }
        }
        assertFailedAndRestored(run);
        assertThat(sorted(outputs)).isEqualTo(sorted(expected));
    }

    // ---- two variables fed back crosswise: each tail is fed from the other variable's head ----

    @ParameterizedTest(name = "{0}, failing after {1} of the records")
    @MethodSource("backendsAndFailurePoints")
    void crossedFeedbackRecoversExactly(String backend, double failAt) throws Exception {
        // A tail fed from the other head may see a checkpoint's barrier before its own head does:
        // the channel's cut then has to be marked from the tail's side.
        String run = InjectedFailure.newRun();
        StreamExecutionEnvironment env = checkpointedEnv(4, backend);
        List<Tuple2<Long, Long>> initialA = new ArrayList<>();
        List<Tuple2<Long, Long>> initialB = new ArrayList<>();
        for (long id = 0; id < VALUES; id++) {
            initialA.add(Tuple2.of(id, id));
            initialB.add(Tuple2.of(id, id + 1));
        }
        var results =
                new BoundedIteration()
                        .bindVariable("a", env.fromData(initialA))
                        .bindVariable("b", env.fromData(initialB))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Tuple2<Long, Long>> nextA =
                                            failingStep(
                                                    inputs.get("b"), run, failAt, new Pacer<>());
                                    DataStream<Tuple2<Long, Long>> nextB =
                                            inputs.<Tuple2<Long, Long>>get("a")
                                                    .map(FailoverTest::otherStep)
                                                    .returns(PAIR);
                                    return IterationDeclaration.builder()
                                            .withFeedback("a", nextA)
                                            .withFeedback("b", nextB)
                                            .withOutput("a", nextA)
                                            .until(TerminationCondition.maxRounds(ROUNDS))
                                            .build();
                                })
                        .apply();
        List<Tuple2<Long, Long>> outputs =
                TestCluster.collect(results.<Tuple2<Long, Long>>get("a"));

        List<Tuple2<Long, Long>> expected = new ArrayList<>();
        for (long id = 0; id < VALUES; id++) {
            Tuple2<Long, Long> a = Tuple2.of(id, id);
            Tuple2<Long, Long> b = Tuple2.of(id, id + 1);
            for (int round = 0; round < ROUNDS; round++) {
                Tuple2<Long, Long> nextA = step(b);
                b = otherStep(a);
                a = nextA;
                expected.add(a);
            }
        }
        assertFailedAndRestored(run);
        assertThat(sorted(outputs)).isEqualTo(sorted(expected));
    }

    private static Tuple2<Long, Long> otherStep(Tuple2<Long, Long> value) {
        return Tuple2.of(value.f0, (value.f1 * 17 + 3) % MODULUS);
    }

    // ---- a bounded body reading a replayed constant ----

    private static final int POINTS = 3000;
    private static final int MODEL_ROUNDS = 15;
    private static final long MODEL_MODULUS = 1_000_000_007;

    @ParameterizedTest(name = "{0}, failing after {1} of the records")
    @MethodSource("backendsAndFailurePoints")
    void replayedConstantRecoversExactly(String backend, double failAt) throws Exception {
        String run = InjectedFailure.newRun();
        StreamExecutionEnvironment env = checkpointedEnv(2, backend);
        DataStream<Long> points = env.fromSequence(1, POINTS);
        DataStream<Long> model = env.fromData(7L).setParallelism(1);
        var results =
                new BoundedIteration()
                        .bindVariable("model", model)
                        .bindConstant("points", points)
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Long> sums =
                                            inputs.<Long>get("points")
                                                    .process(
                                                            new InjectedFailure<>(
                                                                    run,
                                                                    (long)
                                                                            (failAt
                                                                                    * POINTS
                                                                                    * MODEL_ROUNDS)))
                                                    .returns(Types.LONG)
                                                    .process(new WeightedRoundSum())
                                                    .returns(Types.LONG);
                                    DataStream<Long> next =
                                            inputs.<Long>get("model")
                                                    .connect(sums)
                                                    .process(new ModelUpdate())
                                                    .returns(Types.LONG)
                                                    .setParallelism(1)
                                                    .map(new Pacer<>())
                                                    .returns(Types.LONG)
                                                    .setParallelism(1);
                                    return IterationDeclaration.builder()
                                            .withFeedback("model", next)
                                            .withOutput("model", next)
                                            .until(TerminationCondition.maxRounds(MODEL_ROUNDS))
                                            .build();
                                })
                        .apply();
        List<Long> models = TestCluster.collect(results.<Long>get("model"));

        assertFailedAndRestored(run);
        assertThat(models).isEqualTo(expectedModels(POINTS));
    }

    /** The models of the replayed-constant bodies, computed in plain Java. */
    private static List<Long> expectedModels(long points) {
        List<Long> expected = new ArrayList<>();
        long current = 7;
        for (int round = 0; round < MODEL_ROUNDS; round++) {
            long sum = 0;
            for (long point = 1; point <= points; point++) {
                sum += point * (round + 1);
            }
            current = (current * 31 + sum) % MODEL_MODULUS;
            expected.add(current);
        }
        return expected;
    }

    // ---- subtasks far apart: one ends its rounds long before the other ----

    /** 8,193 points per subtask: two full replay slices of 4,096 and one of a single point. */
    private static final int MANY_POINTS = 2 * (2 * 4096 + 1);

    /**
     * The partial sums reach the model from two subtasks, and subtask 1 takes far longer over each
     * round than subtask 0. A replay goes out in slices of 4,096 records and a checkpoint barrier
     * can pass between two slices; subtask 1's last slice is a single point, so nearly every
     * checkpoint finds subtask 0's round watermark already passed to the model and subtask 1 in the
     * middle of the round. Flink does not checkpoint which watermark each input channel had
     * delivered, so after the restore the model's input needs subtask 0 to send that round
     * watermark again; without it, the round never ends and the job hangs.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    @Timeout(value = 1, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void subtasksFarApartRecoverExactly(String backend) throws Exception {
        String run = InjectedFailure.newRun();
        StreamExecutionEnvironment env = checkpointedEnv(2, backend);
        DataStream<Long> points = env.fromSequence(1, MANY_POINTS);
        DataStream<Long> model = env.fromData(7L).setParallelism(1);
        var results =
                new BoundedIteration()
                        .bindVariable("model", model)
                        .bindConstant("points", points)
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Long> sums =
                                            inputs.<Long>get("points")
                                                    .process(
                                                            new InjectedFailure<>(
                                                                    run,
                                                                    MANY_POINTS * MODEL_ROUNDS / 2))
                                                    .returns(Types.LONG)
                                                    .map(new SlowOnSubtaskOne<>())
                                                    .returns(Types.LONG)
                                                    .process(new WeightedRoundSum())
                                                    .returns(Types.LONG);
                                    DataStream<Long> next =
                                            inputs.<Long>get("model")
                                                    .connect(sums)
                                                    .process(new ModelUpdate())
                                                    .returns(Types.LONG)
                                                    .setParallelism(1);
                                    return IterationDeclaration.builder()
                                            .withFeedback("model", next)
                                            .withOutput("model", next)
                                            .until(TerminationCondition.maxRounds(MODEL_ROUNDS))
                                            .build();
                                })
                        .apply();
        List<Long> models = TestCluster.collect(results.<Long>get("model"));

        assertFailedAndRestored(run);
        assertThat(models).isEqualTo(expectedModels(MANY_POINTS));
    }

    // ---- an unbounded body: Collatz sequences fed back until they reach 1 ----

    private static final long STARTS = 400;

    @ParameterizedTest(name = "{0}, failing after {1} of the records")
    @MethodSource("backendsAndFailurePoints")
    void unboundedBodyRecoversExactly(String backend, double failAt) throws Exception {
        long totalSteps = 0;
        List<Tuple2<Long, Long>> expectedSteps = new ArrayList<>();
        for (long start = 2; start < STARTS + 2; start++) {
            long steps = 0;
            for (long value = start; value != 1; value = collatz(value)) {
                steps++;
            }
            totalSteps += steps;
            expectedSteps.add(Tuple2.of(start, steps));
        }
        String run = InjectedFailure.newRun();
        long failAfter = (long) (failAt * totalSteps);
        StreamExecutionEnvironment env = checkpointedEnv(4, backend);
        TypeInformation<Tuple2<Long, Tuple2<Long, Long>>> state =
                Types.TUPLE(Types.LONG, Types.TUPLE(Types.LONG, Types.LONG));
        DataStream<Tuple2<Long, Tuple2<Long, Long>>> starts =
                env.fromSequence(2, STARTS + 1)
                        .map(s -> Tuple2.of(s, Tuple2.of(s, 0L)))
                        .returns(state);
        var results =
                new UnboundedIteration()
                        .bindVariable("walks", starts)
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Tuple2<Long, Tuple2<Long, Long>>> stepped =
                                            inputs.<Tuple2<Long, Tuple2<Long, Long>>>get("walks")
                                                    .process(new InjectedFailure<>(run, failAfter))
                                                    .returns(state)
                                                    .map(
                                                            w ->
                                                                    Tuple2.of(
                                                                            w.f0,
                                                                            Tuple2.of(
                                                                                    collatz(
                                                                                            w.f1.f0),
                                                                                    w.f1.f1 + 1)))
                                                    .returns(state)
                                                    .map(new RecordPacer<>())
                                                    .returns(state);
                                    DataStream<Tuple2<Long, Tuple2<Long, Long>>> going =
                                            stepped.filter(w -> w.f1.f0 != 1);
                                    DataStream<Tuple2<Long, Long>> done =
                                            stepped.filter(w -> w.f1.f0 == 1)
                                                    .map(w -> Tuple2.of(w.f0, w.f1.f1))
                                                    .returns(PAIR);
                                    DataStream<Tuple2<Long, Long>> counts =
                                            stepped.map(w -> Tuple2.of(w.f0, w.f1.f0))
                                                    .returns(PAIR)
                                                    .keyBy(w -> w.f0 % 16)
                                                    .process(new KeyedCount())
                                                    .returns(PAIR);
                                    return IterationDeclaration.builder()
                                            .withFeedback("walks", going)
                                            .withOutput("steps", done)
                                            .withOutput("counts", counts)
                                            .build();
                                })
                        .apply();
        TestCluster.Collected<Tuple2<Long, Long>> steps =
                TestCluster.collectLater(results.<Tuple2<Long, Long>>get("steps"));
        TestCluster.Collected<Tuple2<Long, Long>> counts =
                TestCluster.collectLater(results.<Tuple2<Long, Long>>get("counts"));
        env.execute();

        long[] perKey = new long[16];
        for (Tuple2<Long, Long> walk : expectedSteps) {
            perKey[(int) (walk.f0 % 16)] += walk.f1;
        }
        List<Tuple2<Long, Long>> expectedCounts = new ArrayList<>();
        for (int key = 0; key < 16; key++) {
            for (long count = 1; count <= perKey[key]; count++) {
                expectedCounts.add(Tuple2.of((long) key, count));
            }
        }
        assertFailedAndRestored(run);
        assertThat(sorted(steps.list())).isEqualTo(sorted(expectedSteps));
        assertThat(sorted(counts.list())).isEqualTo(sorted(expectedCounts));
    }

    private static long collatz(long value) {
        return value % 2 == 0 ? value / 2 : 3 * value + 1;
    }

    // ---- helpers ----

    static StreamExecutionEnvironment checkpointedEnv(int parallelism, String backend) {
        Configuration configuration = new Configuration();
        configuration.set(StateBackendOptions.STATE_BACKEND, backend);
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        configuration.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(parallelism);
        env.enableCheckpointing(100);
        return env;
    }

    private static void assertFailedAndRestored(String runId) {
        InjectedFailure.Run run = InjectedFailure.run(runId);
        assertThat(run.failed()).as("the injected failure happened").isTrue();
        assertThat(run.restoredFromCheckpoint).as("the job restored from a checkpoint").isTrue();
        System.out.println("Injected failure in round " + run.failedInRound);
    }

    /** (id, id) for every id below {@link #VALUES}. */
    private static List<Tuple2<Long, Long>> identityPairs() {
        List<Tuple2<Long, Long>> pairs = new ArrayList<>();
        for (long id = 0; id < VALUES; id++) {
            pairs.add(Tuple2.of(id, id));
        }
        return pairs;
    }

    static List<Tuple2<Long, Long>> sorted(List<Tuple2<Long, Long>> list) {
        List<Tuple2<Long, Long>> copy = new ArrayList<>(list);
        copy.sort((a, b) -> a.f0.equals(b.f0) ? a.f1.compareTo(b.f1) : a.f0.compareTo(b.f0));
        return Collections.unmodifiableList(copy);
    }

    /** Slows each round down a little, so that checkpoints fall inside the run. */
    public static final class Pacer<T> implements MapFunction<T, T>, IterationListener<T> {
        @Override
        public T map(T value) {
            return value;
        }

        @Override
        public void onRoundEnd(int round, Context context, Collector<T> collector)
                throws InterruptedException {
            Thread.sleep(60);
        }
    }

    /**
     * Slows each record down a little: in an unbounded iteration records do not wait for round
     * ends, so pacing the rounds would not keep them inside the checkpoints' reach.
     */
    static final class RecordPacer<T> implements MapFunction<T, T> {
        @Override
        public T map(T value) {
            LockSupport.parkNanos(300_000);
            return value;
        }
    }

    /** Passes records on; subtask 1 pauses 0.2 ms after every 16th, subtask 0 never. */
    static final class SlowOnSubtaskOne<T> extends RichMapFunction<T, T> {
        private transient long seen;

        @Override
        public T map(T value) {
            if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 1
                    && ++seen % 16 == 0) {
                LockSupport.parkNanos(200_000);
            }
            return value;
        }
    }

    /** Counts records per key in keyed state and emits the running count with each one. */
    static final class KeyedCount
            extends KeyedProcessFunction<Long, Tuple2<Long, Long>, Tuple2<Long, Long>> {
        private transient ValueState<Long> count;

        @Override
        public void open(OpenContext context) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Long.class));
        }

        @Override
        public void processElement(
                Tuple2<Long, Long> value, Context ctx, Collector<Tuple2<Long, Long>> out)
                throws Exception {
            long next = (count.value() == null ? 0 : count.value()) + 1;
            count.update(next);
            out.collect(Tuple2.of(ctx.getCurrentKey(), next));
        }
    }

    /** Sums point × (round + 1) per round and subtask; the sum is checkpointed operator state. */
    static final class WeightedRoundSum extends RoundAwareProcessFunction<Long, Long>
            implements IterationListener<Long>, CheckpointedFunction {
        private long sum;
        private transient ListState<Long> stored;

        @Override
        public void processElement(
                Long point,
                int round,
                ProcessFunction<Long, Long>.Context ctx,
                Collector<Long> out) {
            sum += point * (round + 1);
        }

        @Override
        public void onRoundEnd(int round, IterationListener.Context context, Collector<Long> out) {
            out.collect(sum);
            sum = 0;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            stored.update(List.of(sum));
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            stored =
                    context.getOperatorStateStore()
                            .getListState(new ListStateDescriptor<>("sum", Long.class));
            for (Long value : stored.get()) {
                sum += value;
            }
        }
    }

    /** Input 1: the model; input 2: the round's partial sums. Emits the next model at round end. */
    static final class ModelUpdate extends CoProcessFunction<Long, Long, Long>
            implements IterationListener<Long>, CheckpointedFunction {
        private long model;
        private long sum;
        private transient ListState<Long> stored;

        @Override
        public void processElement1(
                Long value, CoProcessFunction<Long, Long, Long>.Context ctx, Collector<Long> out) {
            model = value;
        }

        @Override
        public void processElement2(
                Long partial,
                CoProcessFunction<Long, Long, Long>.Context ctx,
                Collector<Long> out) {
            sum += partial;
        }

        @Override
        public void onRoundEnd(int round, IterationListener.Context context, Collector<Long> out) {
            out.collect((model * 31 + sum) % MODEL_MODULUS);
            sum = 0;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            stored.update(List.of(model, sum));
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            stored =
                    context.getOperatorStateStore()
                            .getListState(new ListStateDescriptor<>("model-and-sum", Long.class));
            List<Long> values = new ArrayList<>();
            stored.get().forEach(values::add);
            if (!values.isEmpty()) {
                model = values.get(0);
                sum = values.get(1);
            }
        }
    }
}
