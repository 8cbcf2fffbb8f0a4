package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.TerminationCondition;
import io.github.flinkiteration.testing.ControlledSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A bounded iteration whose rounds flow freely (its body, one map, observes no round boundary)
 * stopped with a savepoint stops there, and a job resumed from the savepoint runs the rounds that
 * were left, at the same or another parallelism (feedback in flight is dealt out among the new
 * heads, each record keeping its round; the per-round feedback counts are combined): every record
 * visits every round exactly once.
 *
 * <p>Record {@code i} enters as {@code (i, i, 0)}; each visit emits {@code (i, value + 1, round +
 * 1)}. One sink commits at completed snapshots ({@link CommittingRecordingSink}), so what the first
 * job did after its savepoint is not counted: the visits of both jobs together must be exactly the
 * reference. Another keeps every visit as it comes: the first job must have made none after its
 * savepoint's barrier.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FreeFlowSavepointTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    /**
     * A head reads its initial records one per batch of feedback, so the record that enters first
     * runs about as many rounds ahead as a head has initial records (all of them at parallelism 1):
     * fewer than {@link #ROUNDS}, so that the first job is stopped before any record's last round.
     */
    private static final int RECORDS = 24;

    private static final int ROUNDS = 40;

    /** Each visit of the first job waits this long: its rounds take 2 s or more in all. */
    private static final long FIRST_JOB_VISIT_NANOS = 6_000_000;

    private static final TypeInformation<Tuple3<Long, Long, Integer>> RECORD =
            Types.TUPLE(Types.LONG, Types.LONG, Types.INT);

    @ParameterizedTest(name = "{0}: parallelism {1} -> {2}")
    @CsvSource({
        "hashmap, 2, 2",
        "rocksdb, 2, 2",
        "hashmap, 2, 3",
        "hashmap, 3, 2",
        "rocksdb, 2, 3",
        "rocksdb, 3, 2",
        "hashmap, 2, 1",
        "rocksdb, 1, 2"
    })
    void aStoppedFreeFlowingIterationStopsAndResumesWithEveryVisitOnce(
            String backend, int before, int after, @TempDir Path savepoints) throws Exception {
        String run = UUID.randomUUID().toString();
        try (ControlledSource.Gate gate = ControlledSource.newGate()) {
            StreamExecutionEnvironment first =
                    TestCluster.withAlignedSavepoints(TestCluster.env(before, backend));
            loop(first, gate, run, FIRST_JOB_VISIT_NANOS);
            JobClient job = first.executeAsync();
            gate.open();
            // Stop once every record has entered the loop. A head reads its input one record per
            // batch of feedback it passes on, and a barrier follows the records before it: stopped
            // earlier, the records that entered first would run many rounds ahead before the
            // savepoint's barrier could pass (see docs/failure-semantics.md §7).
            while (RecordingSink.<Tuple3<Long, Long, Integer>>received(everyVisit(run)).stream()
                            .map(visit -> visit.f0)
                            .distinct()
                            .count()
                    < RECORDS) {
                Thread.sleep(10);
            }
            String savepoint = Savepoints.stopWithSavepoint(job, savepoints);
            List<Tuple3<Long, Long, Integer>> beforeStop = RecordingSink.received(run);
            // Every visit the first job made, also after its savepoint's barrier.
            List<Tuple3<Long, Long, Integer>> firstJob = RecordingSink.received(everyVisit(run));

            StreamExecutionEnvironment second = Savepoints.resumedFrom(savepoint, backend, after);
            loop(second, gate, run, 0);
            second.execute();

            List<Tuple3<Long, Long, Integer>> visits = RecordingSink.received(run);
            // The first job stopped at its savepoint: no visit after its barrier, none of the last
            // round.
            assertThat(firstJob).containsExactlyInAnyOrderElementsOf(beforeStop);
            assertThat(firstJob).noneMatch(visit -> visit.f2 == ROUNDS);
            // The second job made visits of its own, and both together made every visit once.
            assertThat(visits.size()).isGreaterThan(beforeStop.size());
            assertThat(visits).containsExactlyInAnyOrderElementsOf(reference());
        } finally {
            RecordingSink.forget(run);
            RecordingSink.forget(everyVisit(run));
        }
    }

    private static void loop(
            StreamExecutionEnvironment env, ControlledSource.Gate gate, String run, long nanos) {
        DataStream<Tuple3<Long, Long, Integer>> initial =
                env.fromSource(
                                ControlledSource.bounded(
                                        gate, RECORDS, i -> Tuple3.of(i, i, 0), RECORD),
                                WatermarkStrategy.noWatermarks(),
                                "initial")
                        .setParallelism(2)
                        .uid("initial")
                        .rebalance()
                        .map(record -> record)
                        .returns(RECORD)
                        .uid("spread");
        DataStream<Tuple3<Long, Long, Integer>> visits =
                new BoundedIteration()
                        .bindVariable("records", initial)
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Tuple3<Long, Long, Integer>> next =
                                            inputs.<Tuple3<Long, Long, Integer>>get("records")
                                                    .map(new Visit(nanos))
                                                    .returns(RECORD)
                                                    .uid("visit");
                                    return IterationDeclaration.builder()
                                            .withFeedback("records", next)
                                            .withOutput("visits", next)
                                            .until(TerminationCondition.maxRounds(ROUNDS))
                                            .build();
                                })
                        .apply()
                        .<Tuple3<Long, Long, Integer>>get("visits");
        visits.sinkTo(new CommittingRecordingSink<>(run)).uid("visits");
        visits.sinkTo(new RecordingSink<>(everyVisit(run))).uid("every-visit");
    }

    /** The key of the sink that keeps every visit as it comes, before or after a barrier. */
    private static String everyVisit(String run) {
        return run + "-every-visit";
    }

    /** {@code (i, i + r, r)} for every record {@code i} and round {@code r} from 1 to ROUNDS. */
    private static List<Tuple3<Long, Long, Integer>> reference() {
        List<Tuple3<Long, Long, Integer>> visits = new ArrayList<>();
        for (long i = 0; i < RECORDS; i++) {
            for (int round = 1; round <= ROUNDS; round++) {
                visits.add(Tuple3.of(i, i + round, round));
            }
        }
        return visits;
    }

    /** One visit: value and round one higher, slowly in the first job. */
    private static final class Visit
            implements MapFunction<Tuple3<Long, Long, Integer>, Tuple3<Long, Long, Integer>> {
        private final long nanos;

        Visit(long nanos) {
            this.nanos = nanos;
        }

        @Override
        public Tuple3<Long, Long, Integer> map(Tuple3<Long, Long, Integer> record) {
            if (nanos > 0) {
                LockSupport.parkNanos(nanos);
            }
            return Tuple3.of(record.f0, record.f1 + 1, record.f2 + 1);
        }
    }
}
