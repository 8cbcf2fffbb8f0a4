package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.ConvergenceCriterion;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.RoundAwareProcessFunction;
import io.github.flinkiteration.api.TerminationCondition;
import io.github.flinkiteration.api.UnboundedIteration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.flink.api.common.BatchShuffleMode;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.io.network.partition.ResultPartitionType;
import org.apache.flink.runtime.jobgraph.IntermediateDataSet;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.windowing.assigners.GlobalWindows;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bounded iterations in a job whose runtime mode is BATCH: the loop runs as one pipelined region
 * inside an otherwise batch job and gives what a plain-Java simulation of the body gives, as in
 * STREAMING mode; a failure restarts the loop's region from its (blocking, finished) inputs, with
 * no checkpoint, and the result is the failure-free one.
 */
// A separate thread: the collect iterator swallows the interrupt of a same-thread timeout.
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BatchModeTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    private static final int PARALLELISM = 4;
    private static final int VALUES = 1000;
    private static final int ROUNDS = 6;
    private static final int KEYS = 10;
    private static final long MODULUS = 1_000_003;
    private static final TypeInformation<Tuple2<Long, Long>> PAIR =
            Types.TUPLE(Types.LONG, Types.LONG);

    // ---- a body with every kind of operator state a round touches ----

    /**
     * Per round: the sum of each key's values in a per-round end-of-stream window, and its running
     * total over rounds in all-round keyed state; and a keyed two-input operator counting, per key,
     * every record of either input over all rounds. In BATCH mode Flink would sort the keyed inputs
     * (which waits for their end) and keep state with the batch state backend (one key at a time):
     * both are switched off inside the loop, so the results must equal STREAMING's.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void perRoundWindowsAndKeyedStateGiveTheSameResultsAsInStreaming(String backend)
            throws Exception {
        Map<String, List<Tuple2<Long, Long>>> expected = simulateMixedBody();
        for (RuntimeExecutionMode mode :
                List.of(RuntimeExecutionMode.BATCH, RuntimeExecutionMode.STREAMING)) {
            StreamExecutionEnvironment env = TestCluster.env(PARALLELISM, backend);
            env.setRuntimeMode(mode);
            ResultStreams results = mixedBody(env);
            TestCluster.Collected<Tuple2<Long, Long>> totals =
                    TestCluster.collectLater(results.get("totals"));
            TestCluster.Collected<Tuple2<Long, Long>> counts =
                    TestCluster.collectLater(results.get("counts"));
            env.execute();

            assertThat(FailoverTest.sorted(totals.list()))
                    .as("running totals of per-round window sums in %s mode", mode)
                    .isEqualTo(expected.get("totals"));
            assertThat(FailoverTest.sorted(counts.list()))
                    .as("keyed two-input counts in %s mode", mode)
                    .isEqualTo(expected.get("counts"));
        }
    }

    private static ResultStreams mixedBody(StreamExecutionEnvironment env) {
        return new BoundedIteration()
                .bindVariable("x", env.fromSequence(0, VALUES - 1))
                .withBody(
                        (inputs, context) -> {
                            DataStream<Long> x = inputs.get("x");
                            DataStream<Tuple2<Long, Long>> sums =
                                    context.forEachRound(() -> Map.of("sums", windowedSums(x)))
                                            .get("sums");
                            DataStream<Tuple2<Long, Long>> totals =
                                    sums.keyBy(s -> s.f0).process(new RunningTotal()).returns(PAIR);
                            DataStream<Tuple2<Long, Long>> counts =
                                    x.connect(x.map(v -> v + 1).returns(Types.LONG))
                                            .keyBy(v -> v % KEYS, v -> (v - 1) % KEYS)
                                            .process(new CountBothInputs())
                                            .returns(PAIR);
                            return IterationDeclaration.builder()
                                    .withFeedback("x", x.map(BatchModeTest::step))
                                    .withOutput("totals", totals)
                                    .withOutput("counts", counts)
                                    .until(TerminationCondition.maxRounds(ROUNDS))
                                    .build();
                        })
                .apply();
    }

    private static DataStream<Tuple2<Long, Long>> windowedSums(DataStream<Long> x) {
        return x.map(v -> Tuple2.of(v % KEYS, v))
                .returns(PAIR)
                .keyBy(p -> p.f0)
                .window(GlobalWindows.createWithEndOfStreamTrigger())
                .reduce((a, b) -> Tuple2.of(a.f0, a.f1 + b.f1));
    }

    private static long step(long v) {
        return (v * 7 + 3) % MODULUS;
    }

    /** What {@link #mixedBody} emits, by output, each list sorted. */
    private static Map<String, List<Tuple2<Long, Long>>> simulateMixedBody() {
        List<Long> x = new ArrayList<>();
        for (long v = 0; v < VALUES; v++) {
            x.add(v);
        }
        Map<Long, Long> total = new TreeMap<>();
        long[] seenPerKey = new long[KEYS];
        List<Tuple2<Long, Long>> totals = new ArrayList<>();
        List<Tuple2<Long, Long>> counts = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            Map<Long, Long> sums = new TreeMap<>();
            for (long v : x) {
                sums.merge(v % KEYS, v, Long::sum);
                // Each value reaches the counter twice: as v on input 1 and as v + 1 on input 2.
                for (int input = 0; input < 2; input++) {
                    int key = (int) (v % KEYS);
                    counts.add(Tuple2.of((long) key, ++seenPerKey[key]));
                }
            }
            sums.forEach(
                    (key, sum) -> totals.add(Tuple2.of(key, total.merge(key, sum, Long::sum))));
            List<Long> next = new ArrayList<>();
            for (long v : x) {
                next.add(step(v));
            }
            x = next;
        }
        return Map.of("totals", FailoverTest.sorted(totals), "counts", FailoverTest.sorted(counts));
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

    /** Emits (key, records of this key so far, from both inputs and all rounds). */
    static final class CountBothInputs
            extends KeyedCoProcessFunction<Long, Long, Long, Tuple2<Long, Long>> {
        private transient ValueState<Long> count;

        @Override
        public void open(OpenContext context) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Long.class));
        }

        @Override
        public void processElement1(Long value, Context ctx, Collector<Tuple2<Long, Long>> out)
                throws Exception {
            emitNext(ctx.getCurrentKey(), out);
        }

        @Override
        public void processElement2(Long value, Context ctx, Collector<Tuple2<Long, Long>> out)
                throws Exception {
            emitNext(ctx.getCurrentKey(), out);
        }

        private void emitNext(long key, Collector<Tuple2<Long, Long>> out) throws Exception {
            long next = (count.value() == null ? 0 : count.value()) + 1;
            count.update(next);
            out.collect(Tuple2.of(key, next));
        }
    }

    // ---- termination checks ----

    /**
     * A convergence check gathers each round's records on one subtask over a pipelined edge and
     * stops the loop in the round its criterion holds, as in STREAMING mode; an emptiness check
     * stops it after the first round in which its stream got no record.
     */
    @Test
    void terminationChecksStopTheLoopInTheRoundTheyHold() throws Exception {
        // The convergence check holds first, in round 5; the emptiness check would in round 6.
        double tolerance = 2.0;
        List<Double> initial = List.of(40.0, 20.0, 10.0, 5.0, 2.5, 1.25);
        double limit = 0.5;
        StreamExecutionEnvironment env = TestCluster.env(PARALLELISM);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        DataStream<Tuple2<Integer, Double>> seen =
                new BoundedIteration()
                        .bindVariable("x", env.fromData(initial))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Double> x = inputs.get("x");
                                    DataStream<Double> next = x.map(v -> v / 2);
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", next)
                                            .withOutput(
                                                    "seen",
                                                    x.process(new RoundTagger<>())
                                                            .returns(
                                                                    Types.TUPLE(
                                                                            Types.INT,
                                                                            Types.DOUBLE)))
                                            .until(
                                                    TerminationCondition.whenConverged(
                                                                    next,
                                                                    ConvergenceCriterion.deltaBelow(
                                                                            tolerance))
                                                            .or(
                                                                    TerminationCondition.whenEmpty(
                                                                            next.filter(
                                                                                    v ->
                                                                                            v
                                                                                                    > limit))))
                                            .build();
                                })
                        .apply()
                        .get("seen");
        List<Tuple2<Integer, Double>> actual = TestCluster.collect(seen);

        // Plain loop: round r sees the initial values halved r times; after round r the check
        // sees them halved r + 1 times.
        List<Tuple2<Integer, Double>> expected = new ArrayList<>();
        double previousSum = Double.NaN;
        for (int round = 0; ; round++) {
            double sumAfter = 0;
            boolean anyAboveLimit = false;
            for (double v : initial) {
                double value = v / Math.pow(2, round);
                expected.add(Tuple2.of(round, value));
                sumAfter += value / 2;
                anyAboveLimit |= value / 2 > limit;
            }
            boolean converged = round >= 1 && Math.abs(sumAfter - previousSum) < tolerance;
            boolean empty = round >= 1 && !anyAboveLimit;
            if (converged || empty) {
                break;
            }
            previousSum = sumAfter;
        }
        assertThat(expected.get(expected.size() - 1).f0).as("the data's last round").isEqualTo(5);
        assertThat(sortedByRound(actual)).isEqualTo(sortedByRound(expected));
    }

    private static List<Tuple2<Integer, Double>> sortedByRound(List<Tuple2<Integer, Double>> list) {
        List<Tuple2<Integer, Double>> copy = new ArrayList<>(list);
        copy.sort((a, b) -> a.f0.equals(b.f0) ? a.f1.compareTo(b.f1) : a.f0.compareTo(b.f0));
        return copy;
    }

    // ---- failover without checkpoints ----

    /**
     * A map inside the loop fails once, in the middle of the run. BATCH mode takes no checkpoint:
     * Flink restarts the failed task's pipelined region, which is the whole loop, and the loop
     * reads its finished inputs again. The outputs equal a failure-free run's, with nothing
     * repeated: what the failed attempt had written into the loop's blocking output was discarded.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void aFailureRestartsTheLoopFromItsInputsWithTheFailureFreeResult(String backend)
            throws Exception {
        String run = FailOnce.newRun();
        StreamExecutionEnvironment env = TestCluster.env(PARALLELISM, backend);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.configure(
                new org.apache.flink.configuration.Configuration()
                        .set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay")
                        .set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2)
                        .set(
                                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
                                Duration.ofMillis(100)));
        ResultStreams results = mixedBodyFailingOnce(env, run, (long) VALUES * ROUNDS / 2);
        TestCluster.Collected<Tuple2<Long, Long>> totals =
                TestCluster.collectLater(results.get("totals"));
        TestCluster.Collected<Tuple2<Long, Long>> counts =
                TestCluster.collectLater(results.get("counts"));
        env.execute();

        assertThat(FailOnce.failedInRound(run))
                .as("the failure happened inside the run, after round 0")
                .isBetween(1, ROUNDS - 1);
        Map<String, List<Tuple2<Long, Long>>> expected = simulateMixedBody();
        assertThat(FailoverTest.sorted(totals.list())).isEqualTo(expected.get("totals"));
        assertThat(FailoverTest.sorted(counts.list())).isEqualTo(expected.get("counts"));
    }

    /**
     * A constant replayed into every round, with a failure in the middle of the run: the replay is
     * part of the loop's region, restarts with it and reads its finished input again; every value
     * reaches every round exactly once.
     */
    @Test
    void aFailureRestartsAReplayedConstantWithTheLoop() throws Exception {
        int constants = 500;
        int rounds = 8;
        String run = FailOnce.newRun();
        StreamExecutionEnvironment env = TestCluster.env(PARALLELISM);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.configure(
                new org.apache.flink.configuration.Configuration()
                        .set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay")
                        .set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2)
                        .set(
                                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
                                Duration.ofMillis(100)));
        DataStream<Tuple2<Integer, Long>> seen =
                new BoundedIteration()
                        .bindVariable("ticks", env.fromSequence(0, PARALLELISM - 1))
                        .bindConstant("c", env.fromSequence(0, constants - 1))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Long> ticks = inputs.get("ticks");
                                    DataStream<Long> c = inputs.get("c");
                                    DataStream<Long> next =
                                            c.process(
                                                            new FailOnce<Long>(
                                                                    run,
                                                                    (long) constants * rounds / 2))
                                                    .returns(Types.LONG)
                                                    .filter(v -> v < PARALLELISM)
                                                    .union(ticks.filter(v -> false));
                                    return IterationDeclaration.builder()
                                            .withFeedback("ticks", next)
                                            .withOutput(
                                                    "seen",
                                                    c.process(new RoundTagger<>())
                                                            .returns(
                                                                    Types.TUPLE(
                                                                            Types.INT, Types.LONG)))
                                            .until(TerminationCondition.maxRounds(rounds))
                                            .build();
                                })
                        .apply()
                        .get("seen");
        List<Tuple2<Integer, Long>> actual = TestCluster.collect(seen);

        assertThat(FailOnce.failedInRound(run)).isBetween(1, rounds - 1);
        List<Tuple2<Integer, Long>> expected = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            for (long v = 0; v < constants; v++) {
                expected.add(Tuple2.of(round, v));
            }
        }
        Comparator<Tuple2<Integer, Long>> byRoundThenValue =
                Comparator.<Tuple2<Integer, Long>, Integer>comparing(t -> t.f0)
                        .thenComparing(t -> t.f1);
        actual.sort(byRoundThenValue);
        assertThat(actual).isEqualTo(expected);
    }

    /** {@link #mixedBody} with a map on the feedback path that fails once. */
    private static ResultStreams mixedBodyFailingOnce(
            StreamExecutionEnvironment env, String run, long afterRecords) {
        return new BoundedIteration()
                .bindVariable("x", env.fromSequence(0, VALUES - 1))
                .withBody(
                        (inputs, context) -> {
                            DataStream<Long> x = inputs.get("x");
                            DataStream<Tuple2<Long, Long>> sums =
                                    context.forEachRound(() -> Map.of("sums", windowedSums(x)))
                                            .get("sums");
                            DataStream<Tuple2<Long, Long>> totals =
                                    sums.keyBy(s -> s.f0).process(new RunningTotal()).returns(PAIR);
                            DataStream<Tuple2<Long, Long>> counts =
                                    x.connect(x.map(v -> v + 1).returns(Types.LONG))
                                            .keyBy(v -> v % KEYS, v -> (v - 1) % KEYS)
                                            .process(new CountBothInputs())
                                            .returns(PAIR);
                            DataStream<Long> next =
                                    x.process(new FailOnce<Long>(run, afterRecords))
                                            .returns(Types.LONG)
                                            .map(BatchModeTest::step);
                            return IterationDeclaration.builder()
                                    .withFeedback("x", next)
                                    .withOutput("totals", totals)
                                    .withOutput("counts", counts)
                                    .until(TerminationCondition.maxRounds(ROUNDS))
                                    .build();
                        })
                .apply();
    }

    /**
     * Passes records on and fails its job once, at the first record after {@code afterRecords}
     * records went through it over all subtasks. Kept per run in this JVM (the MiniCluster runs in
     * the test's JVM); it needs no checkpoint, unlike {@link InjectedFailure}.
     */
    static final class FailOnce<T> extends RoundAwareProcessFunction<T, T> {
        private static final Map<String, Run> RUNS = new ConcurrentHashMap<>();

        private static final class Run {
            final AtomicLong records = new AtomicLong();
            final AtomicBoolean failed = new AtomicBoolean();
            volatile int failedInRound = -1;
        }

        private final String run;
        private final long afterRecords;

        FailOnce(String run, long afterRecords) {
            this.run = run;
            this.afterRecords = afterRecords;
        }

        static String newRun() {
            String id = UUID.randomUUID().toString();
            RUNS.put(id, new Run());
            return id;
        }

        /** The round the failure came in, or -1 if it did not come. */
        static int failedInRound(String id) {
            return RUNS.get(id).failedInRound;
        }

        @Override
        public void processElement(T value, int round, Context ctx, Collector<T> out) {
            Run state = RUNS.get(run);
            if (state.records.incrementAndGet() > afterRecords
                    && state.failed.compareAndSet(false, true)) {
                state.failedInRound = round;
                throw new IllegalStateException("Injected failure in round " + round);
            }
            out.collect(value);
        }
    }

    // ---- the job graph: the loop pipelined, the rest batch ----

    /**
     * Every exchange between two of the loop's tasks is pipelined (so the loop is one region that
     * runs at once); the exchanges into and out of the loop stay blocking, as in the rest of the
     * BATCH job.
     */
    @Test
    void theLoopsEdgesArePipelinedAndTheOthersBlocking() {
        StreamExecutionEnvironment env = TestCluster.env(PARALLELISM);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        // A rebalance before the loop and after it: edges the job's batch shuffle mode decides.
        DataStream<Long> initial = env.fromSequence(0, VALUES - 1).rebalance().map(v -> v);
        mixedBodyOn(initial).<Tuple2<Long, Long>>get("totals").rebalance().map(t -> t.f1).print();

        JobGraph job = env.getStreamGraph().getJobGraph();
        Map<String, JobVertex> byName = new TreeMap<>();
        for (JobVertex vertex : job.getVertices()) {
            byName.put(vertex.getName(), vertex);
        }
        List<String> loopEdges = new ArrayList<>();
        List<String> otherEdges = new ArrayList<>();
        for (JobVertex producer : job.getVertices()) {
            for (IntermediateDataSet data : producer.getProducedDataSets()) {
                for (JobVertex consumer :
                        data.getConsumers().stream()
                                .map(edge -> edge.getTarget())
                                .collect(Collectors.toList())) {
                    String edge =
                            producer.getName()
                                    + " -> "
                                    + consumer.getName()
                                    + ": "
                                    + data.getResultType();
                    if (isLoopTask(producer) && isLoopTask(consumer)) {
                        loopEdges.add(edge);
                    } else {
                        otherEdges.add(edge);
                    }
                }
            }
        }
        assertThat(loopEdges)
                .isNotEmpty()
                .allSatisfy(
                        edge ->
                                assertThat(edge)
                                        .endsWith(": " + ResultPartitionType.PIPELINED_BOUNDED));
        assertThat(otherEdges)
                .hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(edge -> assertThat(edge).endsWith(": " + ResultPartitionType.BLOCKING));
    }

    private static ResultStreams mixedBodyOn(DataStream<Long> initial) {
        return new BoundedIteration()
                .bindVariable("x", initial)
                .withBody(
                        (inputs, context) -> {
                            DataStream<Long> x = inputs.get("x");
                            DataStream<Tuple2<Long, Long>> totals =
                                    windowedSums(x)
                                            .keyBy(s -> s.f0)
                                            .process(new RunningTotal())
                                            .returns(PAIR);
                            return IterationDeclaration.builder()
                                    .withFeedback("x", x.map(BatchModeTest::step))
                                    .withOutput("totals", totals)
                                    .until(TerminationCondition.maxRounds(ROUNDS))
                                    .build();
                        })
                .apply();
    }

    /** A task of the loop: the iteration's own operators and the body's, which read records. */
    private static boolean isLoopTask(JobVertex vertex) {
        String name = vertex.getName();
        return name.contains("Iteration control")
                || name.contains("Iteration head")
                || name.contains("Iteration tail")
                || name.contains("Iteration round decider")
                || name.contains("Window")
                || name.contains("KeyedProcess");
    }

    // ---- what BATCH mode refuses ----

    @Test
    void anUnboundedIterationInBatchModeFailsWhenBuilt() {
        StreamExecutionEnvironment env = TestCluster.env(PARALLELISM);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        UnboundedIteration iteration =
                new UnboundedIteration()
                        .bindVariable("model", env.fromSequence(0, 9))
                        .withBody(
                                (inputs, context) ->
                                        IterationDeclaration.builder()
                                                .withFeedback("model", inputs.get("model"))
                                                .build());

        assertThatThrownBy(iteration::apply)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(IterationValidator.UNBOUNDED_IN_BATCH)
                .hasMessageContaining("UnboundedIteration")
                .hasMessageContaining("STREAMING");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"AdaptiveBatch", "Adaptive"})
    void anExplicitAdaptiveSchedulerFailsWhenBuilt(String scheduler) {
        StreamExecutionEnvironment env = TestCluster.env(PARALLELISM);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.configure(
                new org.apache.flink.configuration.Configuration()
                        .set(
                                JobManagerOptions.SCHEDULER,
                                JobManagerOptions.SchedulerType.valueOf(scheduler)));

        assertThatThrownBy(() -> mixedBodyOn(env.fromSequence(0, 9)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "'" + JobManagerOptions.SCHEDULER.key() + "' set to " + scheduler)
                .hasMessageContaining("set it to 'Default'");
    }

    /**
     * Under the default scheduler, which the loop needs, Flink 2.3 deploys no task with a hybrid
     * partition (its tiered-storage descriptors are missing, a NullPointerException in {@code
     * ResultPartitionFactory#create}); the build says so instead.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ALL_EXCHANGES_HYBRID_FULL", "ALL_EXCHANGES_HYBRID_SELECTIVE"})
    void aHybridShuffleModeFailsWhenBuilt(String mode) {
        StreamExecutionEnvironment env = TestCluster.env(PARALLELISM);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.configure(
                new org.apache.flink.configuration.Configuration()
                        .set(ExecutionOptions.BATCH_SHUFFLE_MODE, BatchShuffleMode.valueOf(mode)));

        assertThatThrownBy(() -> mixedBodyOn(env.fromSequence(0, 9)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "'" + ExecutionOptions.BATCH_SHUFFLE_MODE.key() + "' set to " + mode)
                .hasMessageContaining("Set it to ALL_EXCHANGES_BLOCKING");
    }

    /** The other shuffle mode, all edges pipelined, makes the whole job one region: it works. */
    @Test
    void allExchangesPipelinedGivesTheSameResults() throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(PARALLELISM);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.configure(
                new org.apache.flink.configuration.Configuration()
                        .set(
                                ExecutionOptions.BATCH_SHUFFLE_MODE,
                                BatchShuffleMode.ALL_EXCHANGES_PIPELINED));
        ResultStreams results = mixedBody(env);
        TestCluster.Collected<Tuple2<Long, Long>> totals =
                TestCluster.collectLater(results.get("totals"));
        TestCluster.Collected<Tuple2<Long, Long>> counts =
                TestCluster.collectLater(results.get("counts"));
        env.execute();

        Map<String, List<Tuple2<Long, Long>>> expected = simulateMixedBody();
        assertThat(FailoverTest.sorted(totals.list())).isEqualTo(expected.get("totals"));
        assertThat(FailoverTest.sorted(counts.list())).isEqualTo(expected.get("counts"));
    }

    @Test
    void anExplicitBatchStateBackendFailsWhenBuilt() {
        StreamExecutionEnvironment env = TestCluster.env(PARALLELISM);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.configure(
                new org.apache.flink.configuration.Configuration()
                        .set(ExecutionOptions.USE_BATCH_STATE_BACKEND, true));

        assertThatThrownBy(() -> mixedBodyOn(env.fromSequence(0, 9)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(BatchJobSettings.BATCH_STATE_BACKEND_UNSUPPORTED);
    }
}
