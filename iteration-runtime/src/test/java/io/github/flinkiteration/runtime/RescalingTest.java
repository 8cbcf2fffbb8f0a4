package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.UnboundedIteration;
import io.github.flinkiteration.testing.ControlledSource;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
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
 * An unbounded iteration stopped with a savepoint at one parallelism resumes at another: the
 * feedback that was going round the loop is dealt out among the new heads, the body's keyed state
 * follows its key groups, and the result equals a plain-Java reference.
 *
 * <p>Each event {@code (id, hops)} goes round the loop {@link #HOPS} times; every visit adds {@code
 * id + 1} to a keyed sum, so a visit lost or repeated across the rescale changes the final sums.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RescalingTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    private static final int KEYS = 16;
    private static final long HOPS = 50;

    /**
     * How long each hop waits in the first job and in the second. In the first job, all hops of an
     * ended input take about 20 s or more: the savepoint must be taken before the loop runs dry,
     * since a stop-with-savepoint that meets the iteration's own end is declined by Flink (some
     * heads have finished, and heads keep union state). 5 ms per hop, 4 s in all, was once too
     * short on a loaded 2-core machine.
     */
    private static final long FIRST_JOB_HOP_NANOS = 35_000_000;

    private static final long SECOND_JOB_HOP_NANOS = 1_000_000;

    /** Events of the first job; the second job adds as many again. */
    private static final long EVENTS = 32;

    private static final TypeInformation<Tuple2<Long, Long>> EVENT =
            Types.TUPLE(Types.LONG, Types.LONG);
    private static final TypeInformation<Tuple3<Long, Long, Long>> VISIT =
            Types.TUPLE(Types.LONG, Types.LONG, Types.LONG);

    /**
     * With {@code firstInputEnds} false, the first job's input never ends, so round 0 never ends
     * either (the usual online job); the second job brings {@link #EVENTS} more events and ends.
     * With it true, the first job's input ends at once and the rounds advance, one hop per round,
     * so the savepoint holds round progress and per-round feedback counts that the new heads
     * combine; the second job brings nothing new.
     */
    @ParameterizedTest(name = "{0}: parallelism {1} -> {2}, first input ends: {3}")
    @CsvSource({
        "hashmap, 2, 3, false",
        "hashmap, 3, 2, false",
        "rocksdb, 2, 3, false",
        "rocksdb, 3, 2, false",
        "hashmap, 2, 3, true",
        "rocksdb, 3, 2, true",
        "hashmap, 1, 2, false",
        "rocksdb, 2, 1, false",
        "hashmap, 2, 1, true",
        "rocksdb, 1, 2, true"
    })
    void unboundedIterationResumesAtAnotherParallelism(
            String backend, int before, int after, boolean firstInputEnds, @TempDir Path savepoints)
            throws Exception {
        String run = UUID.randomUUID().toString();
        try (ControlledSource.Gate gate = ControlledSource.newGate()) {
            StreamExecutionEnvironment first =
                    TestCluster.withAlignedSavepoints(TestCluster.env(before, backend));
            DataStream<Tuple2<Long, Long>> events =
                    first.fromSource(
                                    firstInputEnds
                                            ? ControlledSource.bounded(
                                                    gate, EVENTS, id -> Tuple2.of(id, HOPS), EVENT)
                                            : ControlledSource.unbounded(
                                                    gate, id -> Tuple2.of(id, HOPS), EVENT),
                                    WatermarkStrategy.noWatermarks(),
                                    "events")
                            .uid("events");
            // Slow hops in the first job: the savepoint must come while events go round, before
            // an iteration whose input ended runs out of hops.
            loop(events, run, FIRST_JOB_HOP_NANOS);
            JobClient job = first.executeAsync();
            gate.allowBelow(EVENTS);
            while (RecordingSink.received(run).isEmpty()) {
                Thread.sleep(10);
            }
            String savepoint = Savepoints.stopWithSavepoint(job, savepoints);
            int seenBefore = RecordingSink.received(run).size();

            // The first job's gated source is replaced by a bounded one; its position is dropped.
            // Every operator of the loop must still restore: a lost sum or visit shows below.
            StreamExecutionEnvironment second =
                    Savepoints.resumedIgnoringUnclaimedState(savepoint, backend, after);
            long newEvents = firstInputEnds ? 0 : EVENTS;
            loop(
                    second.fromSource(
                                    ControlledSource.bounded(
                                            gate,
                                            newEvents,
                                            i -> Tuple2.of(EVENTS + i, HOPS),
                                            EVENT),
                                    WatermarkStrategy.noWatermarks(),
                                    "more events")
                            .uid("more-events"),
                    run,
                    SECOND_JOB_HOP_NANOS);
            gate.open();
            second.execute();

            List<Tuple3<Long, Long, Long>> visits = RecordingSink.received(run);
            assertThat(finalSums(visits)).isEqualTo(reference(EVENTS + newEvents));
            // Events of the first job still going round at the savepoint went on in the second.
            assertThat(visits.subList(seenBefore, visits.size()))
                    .anySatisfy(visit -> assertThat(visit.f0).isLessThan(EVENTS));
        } finally {
            RecordingSink.forget(run);
        }
    }

    /**
     * Each event goes round {@link #HOPS} more times; every visit is summed per key and leaves as
     * {@code (id, key, sum)}.
     */
    private static void loop(DataStream<Tuple2<Long, Long>> events, String run, long hopNanos) {
        new UnboundedIteration()
                .bindVariable("events", events)
                .withBody(
                        (inputs, context) -> {
                            DataStream<Tuple3<Long, Long, Long>> visited =
                                    inputs.<Tuple2<Long, Long>>get("events")
                                            .keyBy(event -> event.f0 % KEYS)
                                            .process(new KeyedSum())
                                            .returns(VISIT)
                                            .uid("sum");
                            DataStream<Tuple2<Long, Long>> again =
                                    visited.filter(visit -> visit.f1 > 0)
                                            .map(new NextHop(hopNanos))
                                            .returns(EVENT);
                            return IterationDeclaration.builder()
                                    .withFeedback("events", again)
                                    .withOutput("visits", visited)
                                    .build();
                        })
                .apply()
                .<Tuple3<Long, Long, Long>>get("visits")
                .map(visit -> Tuple3.of(visit.f0, visit.f0 % KEYS, visit.f2))
                .returns(VISIT)
                .sinkTo(new RecordingSink<>(run))
                .uid("visits");
    }

    /**
     * The last sum per key. Sums only grow, so the largest is the last; a job stopped with a
     * savepoint may have emitted some visits after it, which the resumed job repeats.
     */
    private static Map<Long, Long> finalSums(List<Tuple3<Long, Long, Long>> visits) {
        Map<Long, Long> sums = new HashMap<>();
        for (Tuple3<Long, Long, Long> visit : visits) {
            sums.merge(visit.f1, visit.f2, Math::max);
        }
        return sums;
    }

    /**
     * Every event {@code 0 … events - 1} visits {@code HOPS + 1} times, adding {@code id + 1} each
     * time.
     */
    private static Map<Long, Long> reference(long events) {
        Map<Long, Long> sums = new HashMap<>();
        for (long id = 0; id < events; id++) {
            sums.merge(id % KEYS, (id + 1) * (HOPS + 1), Long::sum);
        }
        return sums;
    }

    /** Adds {@code id + 1} to its key's sum and emits {@code (id, hops left, sum)}. */
    private static final class KeyedSum
            extends KeyedProcessFunction<Long, Tuple2<Long, Long>, Tuple3<Long, Long, Long>> {
        private transient ValueState<Long> sum;

        @Override
        public void open(OpenContext context) {
            sum = getRuntimeContext().getState(new ValueStateDescriptor<>("sum", Long.class));
        }

        @Override
        public void processElement(
                Tuple2<Long, Long> event, Context ctx, Collector<Tuple3<Long, Long, Long>> out)
                throws Exception {
            long next = (sum.value() == null ? 0 : sum.value()) + event.f0 + 1;
            sum.update(next);
            out.collect(Tuple3.of(event.f0, event.f1, next));
        }
    }

    /**
     * One hop fewer to go. Waits a little per record, so that events are still going round when the
     * savepoint is taken.
     */
    private static final class NextHop
            implements MapFunction<Tuple3<Long, Long, Long>, Tuple2<Long, Long>> {
        private final long waitNanos;

        NextHop(long waitNanos) {
            this.waitNanos = waitNanos;
        }

        @Override
        public Tuple2<Long, Long> map(Tuple3<Long, Long, Long> visit) {
            LockSupport.parkNanos(waitNanos);
            return Tuple2.of(visit.f0, visit.f1 - 1);
        }
    }
}
