package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.Aggregators;
import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationConfig;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.IterationRuntimeContext;
import io.github.flinkiteration.api.TerminationCondition;
import io.github.flinkiteration.testing.ControlledSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A bounded iteration stopped with a savepoint at one parallelism resumes at another. The savepoint
 * is taken between two rounds (the heads hold the next round until its barriers passed), so the
 * held feedback is dealt out among the new heads, the body's keyed state follows its key groups,
 * and the result equals a plain-Java reference.
 *
 * <p>Each record {@code (key, value, round)} visits a keyed sum once per round, adding {@code
 * value}, and comes back with {@code value + 1}: a visit lost or repeated across the rescale
 * changes the final sums.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BoundedRescalingTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    private static final int KEYS = 16;
    private static final int RECORDS = 48;
    private static final int ROUNDS = 40;
    private static final int DATA_RECORDS = 32;

    /** The last round of the iteration with a constant: the check's stream is empty in it. */
    private static final int STOP_ROUND = 30;

    /**
     * Each visit waits this long in the first job, so that a round takes some 100 ms or more (the
     * first job's rounds would take 4 s or more in all) and the savepoint comes long before the
     * rounds run out: a stop-with-savepoint that meets the iteration's own end is declined by Flink
     * (some heads have finished, and heads keep union state). The first job stops at the savepoint,
     * so this costs a round or two.
     */
    private static final long FIRST_JOB_VISIT_NANOS = 6_000_000;

    private static final TypeInformation<Tuple3<Long, Long, Integer>> RECORD =
            Types.TUPLE(Types.LONG, Types.LONG, Types.INT);
    private static final TypeInformation<Tuple4<Long, Long, Integer, Long>> SUMMED =
            Types.TUPLE(Types.LONG, Types.LONG, Types.INT, Types.LONG);

    /**
     * The body sums variable records and data records (read in round 0 only) per key. With {@code
     * roundZeroRunning}, the first job reads only half of the initial and data records, so the
     * savepoint falls while round 0 still runs (before its watermark, which comes when the inputs
     * end); the second job reads the rest. Otherwise the initial input ends at once and the
     * savepoint falls between two later rounds.
     */
    @ParameterizedTest(name = "{0}: parallelism {1} -> {2}, round 0 running: {3}")
    @CsvSource({
        "hashmap, 2, 3, false",
        "hashmap, 3, 2, false",
        "rocksdb, 2, 3, false",
        "rocksdb, 3, 2, false",
        "hashmap, 3, 2, true",
        "rocksdb, 2, 3, true",
        "hashmap, 1, 2, false",
        "rocksdb, 2, 1, false",
        "hashmap, 2, 1, true",
        "rocksdb, 1, 2, true"
    })
    void boundedIterationResumesFromASavepointAtAnotherParallelism(
            String backend,
            int before,
            int after,
            boolean roundZeroRunning,
            @TempDir Path savepoints)
            throws Exception {
        String run = UUID.randomUUID().toString();
        try (ControlledSource.Gate gate = ControlledSource.newGate()) {
            int seenBefore =
                    stopAndResume(
                            (env, g, r, visitNanos) -> loop(env, g, r, visitNanos, false),
                            backend,
                            before,
                            after,
                            gate,
                            run,
                            savepoints,
                            roundZeroRunning ? RECORDS / 2 : Long.MAX_VALUE);

            List<Tuple3<Long, Long, Integer>> visits = RecordingSink.received(run);
            assertThat(finalSums(visits)).isEqualTo(referenceSums());
            // The savepoint fell in the middle of the run: the second job ran rounds of its own.
            assertThat(visits.subList(seenBefore, visits.size()))
                    .anySatisfy(visit -> assertThat(visit.f2).isBetween(0, ROUNDS - 2));
            assertThat(visits.subList(0, seenBefore))
                    .allSatisfy(visit -> assertThat(visit.f2).isLessThan(ROUNDS - 1));
        } finally {
            RecordingSink.forget(run);
        }
    }

    /**
     * Built with rescalable checkpoints, the iteration takes every checkpoint between two rounds: a
     * job restarted from its latest retained checkpoint at another parallelism (as the adaptive
     * scheduler does after losing a TaskManager) goes on and ends with the reference result.
     */
    @ParameterizedTest(name = "{0}: parallelism {1} -> {2}")
    @CsvSource({"hashmap, 3, 2", "rocksdb, 2, 3", "hashmap, 2, 1", "rocksdb, 1, 2"})
    void aCheckpointOfAnIterationWithRescalableCheckpointsResumesAtAnotherParallelism(
            String backend, int before, int after, @TempDir Path checkpoints) throws Exception {
        String run = UUID.randomUUID().toString();
        try (ControlledSource.Gate gate = ControlledSource.newGate()) {
            StreamExecutionEnvironment first =
                    Savepoints.retainingCheckpoints(TestCluster.env(before, backend), checkpoints);
            loop(first, gate, run, FIRST_JOB_VISIT_NANOS, true);
            JobClient job = first.executeAsync();
            gate.open();
            while (RecordingSink.received(run).isEmpty()) {
                Thread.sleep(10);
            }
            Savepoints.awaitRetainedCheckpoint(checkpoints);
            job.cancel().get();
            Path checkpoint = Savepoints.latestRetainedCheckpoint(checkpoints);
            int seenBefore = RecordingSink.received(run).size();

            StreamExecutionEnvironment second =
                    Savepoints.resumedFrom(checkpoint.toUri().toString(), backend, after);
            loop(second, gate, run, 0, true);
            second.execute();

            List<Tuple3<Long, Long, Integer>> visits = RecordingSink.received(run);
            assertThat(finalSums(visits)).isEqualTo(referenceSums());
            assertThat(visits.subList(seenBefore, visits.size()))
                    .anySatisfy(visit -> assertThat(visit.f2).isBetween(0, ROUNDS - 2));
        } finally {
            RecordingSink.forget(run);
        }
    }

    /**
     * An aggregator's partials are accumulators, which merge: each new subtask merges those of the
     * old subtasks it got and reports them again, so the coordinator's global value of the round
     * before the savepoint, which every later round builds on, comes out the same.
     */
    @ParameterizedTest(name = "{0}: parallelism {1} -> {2}")
    @CsvSource({"hashmap, 2, 3", "rocksdb, 3, 2"})
    void anIterationWithAggregatorsResumesAtAnotherParallelism(
            String backend, int before, int after, @TempDir Path savepoints) throws Exception {
        String run = UUID.randomUUID().toString();
        try (ControlledSource.Gate gate = ControlledSource.newGate()) {
            int seenBefore =
                    stopAndResume(
                            BoundedRescalingTest::loopWithAggregator,
                            backend,
                            before,
                            after,
                            gate,
                            run,
                            savepoints,
                            Long.MAX_VALUE);

            List<Tuple3<Long, Long, Integer>> visits = RecordingSink.received(run);
            assertThat(new HashSet<>(visits)).isEqualTo(new HashSet<>(referenceVisitsWithTotal()));
            assertThat(visits.subList(seenBefore, visits.size()))
                    .anySatisfy(visit -> assertThat(visit.f2).isBetween(1, ROUNDS - 1));
        } finally {
            RecordingSink.forget(run);
        }
    }

    /**
     * Each round adds every record's value to the aggregator {@code total}, and each record grows
     * by one plus the total of the round before, modulo 5.
     */
    private static void loopWithAggregator(
            StreamExecutionEnvironment env,
            ControlledSource.Gate gate,
            String run,
            long visitNanos) {
        DataStream<Tuple3<Long, Long, Integer>> initial = gatedInitial(env, gate);
        new BoundedIteration()
                .bindVariable("records", initial)
                .withBody(
                        (inputs, context) -> {
                            DataStream<Tuple3<Long, Long, Integer>> next =
                                    inputs.<Tuple3<Long, Long, Integer>>get("records")
                                            .map(new AddToTotal(visitNanos))
                                            .returns(RECORD)
                                            .uid("add");
                            return IterationDeclaration.builder()
                                    .withFeedback("records", next)
                                    .withOutput("records", next)
                                    .withAggregator("total", Aggregators.longSum())
                                    .until(TerminationCondition.maxRounds(ROUNDS))
                                    .build();
                        })
                .apply()
                .<Tuple3<Long, Long, Integer>>get("records")
                .sinkTo(new RecordingSink<>(run))
                .uid("records-out");
    }

    /** What {@link AddToTotal} emits over all rounds, computed in plain Java. */
    private static List<Tuple3<Long, Long, Integer>> referenceVisitsWithTotal() {
        List<Tuple3<Long, Long, Integer>> records = initialRecords();
        List<Tuple3<Long, Long, Integer>> visits = new ArrayList<>();
        long previousTotal = 0; // longSum's value before the first round ends
        for (int round = 0; round < ROUNDS; round++) {
            long total = 0;
            List<Tuple3<Long, Long, Integer>> next = new ArrayList<>();
            for (Tuple3<Long, Long, Integer> record : records) {
                total += record.f1;
                next.add(AddToTotal.step(record, previousTotal));
            }
            visits.addAll(next);
            records = next;
            previousTotal = total;
        }
        return visits;
    }

    /** Adds the value to the aggregator and grows it by the total of the round before. */
    private static final class AddToTotal
            implements MapFunction<Tuple3<Long, Long, Integer>, Tuple3<Long, Long, Integer>> {
        private final long visitNanos;

        AddToTotal(long visitNanos) {
            this.visitNanos = visitNanos;
        }

        @Override
        public Tuple3<Long, Long, Integer> map(Tuple3<Long, Long, Integer> record) {
            IterationRuntimeContext.<Long>aggregator("total").add(record.f1);
            Long previous = IterationRuntimeContext.previousAggregate("total");
            if (visitNanos > 0) {
                LockSupport.parkNanos(visitNanos);
            }
            return step(record, previous);
        }

        static Tuple3<Long, Long, Integer> step(
                Tuple3<Long, Long, Integer> record, long previousTotal) {
            return Tuple3.of(record.f0, record.f1 + 1 + previousTotal % 5, record.f2 + 1);
        }
    }

    /**
     * A per-round operator ({@code forEachRound}) keeps keyed state that starts empty every round:
     * restored at another parallelism from a savepoint between two rounds, its key groups move as
     * any keyed operator's do, and every later round still counts each key from one.
     */
    @ParameterizedTest(name = "{0}: parallelism {1} -> {2}")
    @CsvSource({"hashmap, 2, 3", "rocksdb, 3, 2"})
    void anIterationWithAPerRoundOperatorResumesAtAnotherParallelism(
            String backend, int before, int after, @TempDir Path savepoints) throws Exception {
        String run = UUID.randomUUID().toString();
        try (ControlledSource.Gate gate = ControlledSource.newGate()) {
            int seenBefore =
                    stopAndResume(
                            BoundedRescalingTest::loopWithPerRoundCount,
                            backend,
                            before,
                            after,
                            gate,
                            run,
                            savepoints,
                            Long.MAX_VALUE);

            List<Tuple3<Long, Long, Integer>> counts = RecordingSink.received(run);
            Set<Tuple3<Long, Long, Integer>> expected = new HashSet<>();
            for (int round = 0; round < ROUNDS; round++) {
                for (long key = 0; key < KEYS; key++) {
                    for (long count = 1; count <= RECORDS / KEYS; count++) {
                        expected.add(Tuple3.of(key, count, round));
                    }
                }
            }
            assertThat(new HashSet<>(counts)).isEqualTo(expected);
            assertThat(counts.subList(seenBefore, counts.size()))
                    .anySatisfy(count -> assertThat(count.f2).isBetween(1, ROUNDS - 1));
        } finally {
            RecordingSink.forget(run);
        }
    }

    /** Counts each key's records per round in a per-round keyed operator. */
    private static void loopWithPerRoundCount(
            StreamExecutionEnvironment env,
            ControlledSource.Gate gate,
            String run,
            long visitNanos) {
        DataStream<Tuple3<Long, Long, Integer>> initial = gatedInitial(env, gate);
        new BoundedIteration()
                .bindVariable("records", initial)
                .withBody(
                        (inputs, context) -> {
                            DataStream<Tuple3<Long, Long, Integer>> records = inputs.get("records");
                            DataStream<Tuple3<Long, Long, Integer>> counts =
                                    context.forEachRound(
                                                    () ->
                                                            Map.of(
                                                                    "counts",
                                                                    records.keyBy(r -> r.f0)
                                                                            .process(
                                                                                    new CountInRound())
                                                                            .returns(RECORD)
                                                                            .uid("count")))
                                            .get("counts");
                            DataStream<Tuple3<Long, Long, Integer>> next =
                                    records.map(new SlowlyToNextRound(visitNanos))
                                            .returns(RECORD)
                                            .uid("next");
                            return IterationDeclaration.builder()
                                    .withFeedback("records", next)
                                    .withOutput("counts", counts)
                                    .until(TerminationCondition.maxRounds(ROUNDS))
                                    .build();
                        })
                .apply()
                .<Tuple3<Long, Long, Integer>>get("counts")
                .sinkTo(new RecordingSink<>(run))
                .uid("counts-out");
    }

    /** Emits (key, records of this key so far in this round, round) for each record. */
    private static final class CountInRound
            extends KeyedProcessFunction<
                    Long, Tuple3<Long, Long, Integer>, Tuple3<Long, Long, Integer>> {
        private transient ValueState<Long> count;

        @Override
        public void open(OpenContext context) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Long.class));
        }

        @Override
        public void processElement(
                Tuple3<Long, Long, Integer> record,
                Context ctx,
                Collector<Tuple3<Long, Long, Integer>> out)
                throws Exception {
            long next = (count.value() == null ? 0 : count.value()) + 1;
            count.update(next);
            out.collect(Tuple3.of(record.f0, next, IterationRuntimeContext.currentRound()));
        }
    }

    /** Passes the record on to the next round, slowly in the first job. */
    private static final class SlowlyToNextRound
            implements MapFunction<Tuple3<Long, Long, Integer>, Tuple3<Long, Long, Integer>> {
        private final long visitNanos;

        SlowlyToNextRound(long visitNanos) {
            this.visitNanos = visitNanos;
        }

        @Override
        public Tuple3<Long, Long, Integer> map(Tuple3<Long, Long, Integer> record) {
            if (visitNanos > 0) {
                LockSupport.parkNanos(visitNanos);
            }
            return Tuple3.of(record.f0, record.f1 + 1, record.f2 + 1);
        }
    }

    /**
     * With a constant, replayed into every round, and a termination check, which stops the
     * iteration after the first round in which a stream got nothing: the coordinator decides each
     * round, the replays hold between rounds like the heads, and each replay and check subtask
     * takes its share of the old ones' caches and counts.
     */
    @ParameterizedTest(name = "{0}: parallelism {1} -> {2}")
    @CsvSource({"hashmap, 2, 3", "rocksdb, 3, 2"})
    void boundedIterationWithAConstantAndACheckResumesAtAnotherParallelism(
            String backend, int before, int after, @TempDir Path savepoints) throws Exception {
        String run = UUID.randomUUID().toString();
        try (ControlledSource.Gate gate = ControlledSource.newGate()) {
            int seenBefore =
                    stopAndResume(
                            BoundedRescalingTest::loopWithConstant,
                            backend,
                            before,
                            after,
                            gate,
                            run,
                            savepoints,
                            Long.MAX_VALUE);

            List<Tuple3<Long, Long, Integer>> visits = RecordingSink.received(run);
            assertThat(finalSums(visits)).isEqualTo(referenceSumsWithConstant());
            assertThat(visits.subList(seenBefore, visits.size()))
                    .anySatisfy(visit -> assertThat(visit.f2).isLessThan(STOP_ROUND));
        } finally {
            RecordingSink.forget(run);
        }
    }

    /** Builds a test's loop into a job; the first job's visits are slowed by {@code visitNanos}. */
    private interface LoopJob {
        void build(
                StreamExecutionEnvironment env,
                ControlledSource.Gate gate,
                String run,
                long visitNanos);
    }

    /**
     * Runs {@code loop} at parallelism {@code before}, letting it read the initial records below
     * {@code firstJobReads}, stops it with a savepoint once a visit reached the sink, and runs it
     * resumed from that savepoint at {@code after}, with every record, to its end. Returns how many
     * visits the first job delivered.
     */
    private static int stopAndResume(
            LoopJob loop,
            String backend,
            int before,
            int after,
            ControlledSource.Gate gate,
            String run,
            Path savepoints,
            long firstJobReads)
            throws Exception {
        StreamExecutionEnvironment first =
                TestCluster.withAlignedSavepoints(TestCluster.env(before, backend));
        loop.build(first, gate, run, FIRST_JOB_VISIT_NANOS);
        JobClient job = first.executeAsync();
        gate.allowBelow(firstJobReads);
        while (RecordingSink.received(run).isEmpty()) {
            Thread.sleep(10);
        }
        String savepoint;
        try {
            savepoint = Savepoints.stopWithSavepoint(job, savepoints);
        } catch (Exception e) {
            // Left running, the job would restart on and on (its gate closes with this test) and
            // keep the slots every later test of this class waits for.
            job.cancel();
            throw e;
        }
        int seenBefore = RecordingSink.received(run).size();

        StreamExecutionEnvironment second = Savepoints.resumedFrom(savepoint, backend, after);
        loop.build(second, gate, run, 0);
        gate.open();
        second.execute();
        return seenBefore;
    }

    /** Runs {@link #ROUNDS} rounds; every visit leaves as {@code (key, sum so far, round)}. */
    private static void loop(
            StreamExecutionEnvironment env,
            ControlledSource.Gate gate,
            String run,
            long visitNanos,
            boolean rescalableCheckpoints) {
        DataStream<Tuple3<Long, Long, Integer>> initial = gatedInitial(env, gate);
        // Data read once, in round 0: summed, not fed back. Gated like the initial records.
        DataStream<Tuple3<Long, Long, Integer>> extra =
                env.fromSource(
                                ControlledSource.bounded(
                                        gate, DATA_RECORDS, BoundedRescalingTest::data, RECORD),
                                WatermarkStrategy.noWatermarks(),
                                "extra")
                        .setParallelism(2)
                        .uid("extra")
                        .rebalance()
                        .map(record -> record)
                        .returns(RECORD)
                        .uid("spread-extra");
        new BoundedIteration()
                .bindVariable("records", initial)
                .bindData("extra", extra)
                .withConfig(
                        IterationConfig.builder()
                                .rescalableCheckpoints(rescalableCheckpoints)
                                .build())
                .withBody(
                        (inputs, context) -> {
                            DataStream<Tuple3<Long, Long, Integer>> records = inputs.get("records");
                            DataStream<Tuple3<Long, Long, Integer>> data = inputs.get("extra");
                            DataStream<Tuple4<Long, Long, Integer, Long>> summed =
                                    records.union(data)
                                            .keyBy(record -> record.f0)
                                            .process(new KeyedSum(visitNanos))
                                            .returns(SUMMED)
                                            .uid("sum");
                            DataStream<Tuple3<Long, Long, Integer>> next =
                                    summed.filter(visit -> visit.f2 >= 0)
                                            .map(new NextRound())
                                            .returns(RECORD)
                                            .uid("next");
                            DataStream<Tuple3<Long, Long, Integer>> visits =
                                    summed.map(visit -> Tuple3.of(visit.f0, visit.f3, visit.f2))
                                            .returns(RECORD)
                                            .uid("visit");
                            return IterationDeclaration.builder()
                                    .withFeedback("records", next)
                                    .withOutput("visits", visits)
                                    .until(TerminationCondition.maxRounds(ROUNDS))
                                    .build();
                        })
                .apply()
                .<Tuple3<Long, Long, Integer>>get("visits")
                .sinkTo(new RecordingSink<>(run))
                .uid("visits");
    }

    /**
     * Variable records and the constant's records {@code (key, weight, -1)} are summed per key;
     * only variable records come back. The iteration ends after round {@link #STOP_ROUND}, the
     * first in which no record of a round below it passes the check's stream.
     */
    private static void loopWithConstant(
            StreamExecutionEnvironment env,
            ControlledSource.Gate gate,
            String run,
            long visitNanos) {
        DataStream<Tuple3<Long, Long, Integer>> initial = gatedInitial(env, gate);
        DataStream<Tuple3<Long, Long, Integer>> weights =
                env.fromData(constantRecords(), RECORD)
                        .uid("weights")
                        .rebalance()
                        .map(record -> record)
                        .returns(RECORD)
                        .uid("spread-weights");
        new BoundedIteration()
                .bindVariable("records", initial)
                .bindConstant("weights", weights)
                .withBody(
                        (inputs, context) -> {
                            DataStream<Tuple3<Long, Long, Integer>> records = inputs.get("records");
                            DataStream<Tuple3<Long, Long, Integer>> constant =
                                    inputs.get("weights");
                            DataStream<Tuple4<Long, Long, Integer, Long>> summed =
                                    records.union(constant)
                                            .keyBy(record -> record.f0)
                                            .process(new KeyedSum(visitNanos))
                                            .returns(SUMMED)
                                            .uid("sum");
                            DataStream<Tuple3<Long, Long, Integer>> next =
                                    summed.filter(visit -> visit.f2 >= 0)
                                            .map(new NextRound())
                                            .returns(RECORD)
                                            .uid("next");
                            DataStream<Tuple3<Long, Long, Integer>> visits =
                                    summed.map(visit -> Tuple3.of(visit.f0, visit.f3, visit.f2))
                                            .returns(RECORD)
                                            .uid("visit");
                            DataStream<Tuple3<Long, Long, Integer>> early =
                                    records.filter(record -> record.f2 < STOP_ROUND);
                            return IterationDeclaration.builder()
                                    .withFeedback("records", next)
                                    .withOutput("visits", visits)
                                    .until(
                                            TerminationCondition.maxRounds(10 * STOP_ROUND)
                                                    .or(TerminationCondition.whenEmpty(early)))
                                    .build();
                        })
                .apply()
                .<Tuple3<Long, Long, Integer>>get("visits")
                .sinkTo(new RecordingSink<>(run))
                .uid("visits");
    }

    /** {@code (key, 1000 + key, -1)} for every key. */
    private static List<Tuple3<Long, Long, Integer>> constantRecords() {
        List<Tuple3<Long, Long, Integer>> records = new ArrayList<>();
        for (long key = 0; key < KEYS; key++) {
            records.add(Tuple3.of(key, 1000 + key, -1));
        }
        return records;
    }

    /**
     * Rounds {@code 0 … STOP_ROUND} run: each variable record adds {@code i + round}, each constant
     * record its weight, in every round.
     */
    private static Map<Long, Long> referenceSumsWithConstant() {
        Map<Long, Long> sums = new HashMap<>();
        for (int round = 0; round <= STOP_ROUND; round++) {
            for (Tuple3<Long, Long, Integer> record : initialRecords()) {
                sums.merge(record.f0, record.f1 + round, Long::sum);
            }
            for (Tuple3<Long, Long, Integer> weight : constantRecords()) {
                sums.merge(weight.f0, weight.f1, Long::sum);
            }
        }
        return sums;
    }

    /**
     * Records {@code (i % KEYS, i, 0)} for {@code i < RECORDS}, let through by {@code gate}. The
     * source keeps its parallelism (it restores its position only at the same one); the records are
     * spread over the job's parallelism, which the head of the variable takes.
     */
    private static DataStream<Tuple3<Long, Long, Integer>> gatedInitial(
            StreamExecutionEnvironment env, ControlledSource.Gate gate) {
        return env.fromSource(
                        ControlledSource.bounded(
                                gate, RECORDS, i -> Tuple3.of(i % KEYS, i, 0), RECORD),
                        WatermarkStrategy.noWatermarks(),
                        "initial")
                .setParallelism(2)
                .uid("initial")
                .rebalance()
                .map(record -> record)
                .returns(RECORD)
                .uid("spread");
    }

    /** {@code (i % KEYS, i, 0)} for {@code i < RECORDS}. */
    private static List<Tuple3<Long, Long, Integer>> initialRecords() {
        List<Tuple3<Long, Long, Integer>> records = new ArrayList<>();
        for (long i = 0; i < RECORDS; i++) {
            records.add(Tuple3.of(i % KEYS, i, 0));
        }
        return records;
    }

    /** The largest sum per key: sums only grow, so it is the last. */
    private static Map<Long, Long> finalSums(List<Tuple3<Long, Long, Integer>> visits) {
        Map<Long, Long> sums = new HashMap<>();
        for (Tuple3<Long, Long, Integer> visit : visits) {
            sums.merge(visit.f0, visit.f1, Math::max);
        }
        return sums;
    }

    /** Data record {@code i}: {@code (i % KEYS, 10_000 + i, -2)}. */
    private static Tuple3<Long, Long, Integer> data(long i) {
        return Tuple3.of(i % KEYS, 10_000 + i, -2);
    }

    /**
     * Record {@code i} visits in rounds {@code 0 … ROUNDS - 1}, adding {@code i + round}; each data
     * record adds its value once.
     */
    private static Map<Long, Long> referenceSums() {
        Map<Long, Long> sums = new HashMap<>();
        for (long i = 0; i < DATA_RECORDS; i++) {
            sums.merge(data(i).f0, data(i).f1, Long::sum);
        }
        for (Tuple3<Long, Long, Integer> record : initialRecords()) {
            for (int round = 0; round < ROUNDS; round++) {
                sums.merge(record.f0, record.f1 + round, Long::sum);
            }
        }
        return sums;
    }

    /** Adds the record's value to its key's sum and emits {@code (key, value, round, sum)}. */
    private static final class KeyedSum
            extends KeyedProcessFunction<
                    Long, Tuple3<Long, Long, Integer>, Tuple4<Long, Long, Integer, Long>> {
        private final long waitNanos;
        private transient ValueState<Long> sum;

        KeyedSum(long waitNanos) {
            this.waitNanos = waitNanos;
        }

        @Override
        public void open(OpenContext context) {
            sum = getRuntimeContext().getState(new ValueStateDescriptor<>("sum", Long.class));
        }

        @Override
        public void processElement(
                Tuple3<Long, Long, Integer> record,
                Context ctx,
                Collector<Tuple4<Long, Long, Integer, Long>> out)
                throws Exception {
            if (waitNanos > 0) {
                LockSupport.parkNanos(waitNanos);
            }
            long next = (sum.value() == null ? 0 : sum.value()) + record.f1;
            sum.update(next);
            out.collect(Tuple4.of(record.f0, record.f1, record.f2, next));
        }
    }

    /** The record of the next round: value and round one higher. */
    private static final class NextRound
            implements MapFunction<Tuple4<Long, Long, Integer, Long>, Tuple3<Long, Long, Integer>> {
        @Override
        public Tuple3<Long, Long, Integer> map(Tuple4<Long, Long, Integer, Long> record) {
            return Tuple3.of(record.f0, record.f1 + 1, record.f2 + 1);
        }
    }
}
