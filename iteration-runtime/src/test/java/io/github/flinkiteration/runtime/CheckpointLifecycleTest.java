package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.testing.ControlledSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints of a job with an iteration: they keep completing after the initial inputs have ended
 * (the heads stay ordinary running tasks), the job then finishes by itself, and a restore of a
 * bounded iteration at another parallelism fails for good with a message naming the operator
 * (unbounded iterations rescale: {@code RescalingTest}), and a savepoint of a job without
 * checkpointing, which Flink would take without aligning barriers, is refused.
 */
// A separate thread: the collect iterator swallows the interrupt of a same-thread timeout.
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CheckpointLifecycleTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    /** Per run: the round a body operator was in each time a checkpoint completed. */
    private static final Map<String, List<Integer>> ROUNDS_AT_CHECKPOINTS =
            new ConcurrentHashMap<>();

    @Test
    void checkpointsKeepCompletingAfterTheInputsEndedAndTheJobFinishes() throws Exception {
        String run = UUID.randomUUID().toString();
        ROUNDS_AT_CHECKPOINTS.put(run, new CopyOnWriteArrayList<>());
        int rounds = 12;
        StreamExecutionEnvironment env = FailoverTest.checkpointedEnv(2, "hashmap");
        DataStream<Long> result = LoopJobs.pacedIncrements(env, rounds, new RoundAtCheckpoint(run));
        TestCluster.Collected<Long> out = TestCluster.collectLater(result);
        JobExecutionResult finished = env.execute();

        assertThat(finished.getJobID()).isNotNull();
        // Round 0 ends only once the initial input has ended; later rounds run on feedback alone.
        assertThat(ROUNDS_AT_CHECKPOINTS.get(run))
                .anySatisfy(round -> assertThat(round).isGreaterThan(1));
        assertThat(out.list().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(LoopJobs.pacedIncrementsSum(rounds));
    }

    @Test
    void restoringABoundedIterationFromAMidRoundCheckpointAtAnotherParallelismFailsSayingWhatToDo(
            @TempDir Path checkpoints) throws Exception {
        assertThatThrownBy(() -> restoreAtParallelism3(true, checkpoints))
                .hasStackTraceContaining(
                        "was checkpointed at parallelism 2 in the middle of a round")
                .hasStackTraceContaining("restored at parallelism 3")
                .hasStackTraceContaining("Restore at parallelism 2")
                .hasStackTraceContaining("take a savepoint")
                .hasStackTraceContaining("rescalableCheckpoints(true)");
    }

    /**
     * A bounded iteration whose rounds flow freely holds nothing at its heads or wrappers, and
     * every record in flight carries its round: even a checkpoint taken while round 0 still reads
     * its input restores at another parallelism, and the job ends with every value of every round
     * out once.
     */
    @Test
    void aFreeFlowingBoundedIterationResumesFromAMidRoundCheckpointAtAnotherParallelism(
            @TempDir Path checkpoints) throws Exception {
        List<Long> out = restoreAtParallelism3(false, checkpoints);
        List<Long> expected = new ArrayList<>();
        for (long value = 0; value < LoopJobs.GATED_VALUES; value++) {
            for (int round = 1; round <= LoopJobs.GATED_ROUNDS; round++) {
                expected.add(value + round);
            }
        }
        assertThat(out).containsExactlyInAnyOrderElementsOf(expected);
    }

    /**
     * Runs {@link LoopJobs#gatedIncrements} at parallelism 2 with periodic checkpoints (kept after
     * the job is cancelled, not taken between rounds) until round 0 is in progress, cancels it, and
     * restores its last checkpoint at parallelism 3. Returns what both jobs emitted up to their
     * snapshots and ends.
     */
    private static List<Long> restoreAtParallelism3(boolean lockStep, Path checkpoints)
            throws Exception {
        String run = UUID.randomUUID().toString();
        try (ControlledSource.Gate gate = ControlledSource.newGate()) {
            StreamExecutionEnvironment first =
                    Savepoints.retainingCheckpoints(TestCluster.env(2), checkpoints);
            LoopJobs.gatedIncrements(first, gate, lockStep)
                    .sinkTo(new CommittingRecordingSink<>(run))
                    .uid("out");
            JobClient job = first.executeAsync();
            // Round 0 is in progress (in lock-step, round 1's feedback is held at the heads).
            gate.allowBelow(40);
            while (RecordingSink.received(run).size() < 40) {
                Thread.sleep(10);
            }
            Savepoints.awaitRetainedCheckpoint(checkpoints);
            job.cancel().get();
            Path checkpoint = Savepoints.latestRetainedCheckpoint(checkpoints);

            Configuration resume = new Configuration();
            resume.set(StateRecoveryOptions.SAVEPOINT_PATH, checkpoint.toUri().toString());
            resume.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
            StreamExecutionEnvironment second =
                    StreamExecutionEnvironment.getExecutionEnvironment(resume);
            second.setParallelism(3);
            LoopJobs.gatedIncrements(second, gate, lockStep)
                    .sinkTo(new CommittingRecordingSink<>(run))
                    .uid("out");
            gate.open();
            second.execute();
            return RecordingSink.received(run);
        } finally {
            RecordingSink.forget(run);
        }
    }

    @Test
    void aSavepointOfAJobWithoutCheckpointingIsRefusedSayingWhatToDoAndTheJobRunsOn(
            @TempDir Path savepoints) throws Exception {
        String run = UUID.randomUUID().toString();
        try (ControlledSource.Gate gate = ControlledSource.newGate()) {
            // No checkpointing: Flink would take the savepoint at-least-once, without aligning.
            StreamExecutionEnvironment env = TestCluster.env(2);
            LoopJobs.echo(env, gate).sinkTo(new RecordingSink<>(run));
            JobClient job = env.executeAsync();
            gate.allowBelow(10);
            while (RecordingSink.received(run).size() < 10) {
                Thread.sleep(10);
            }
            assertThatThrownBy(() -> Savepoints.stopWithSavepoint(job, savepoints))
                    .hasStackTraceContaining("refused by iteration")
                    .hasStackTraceContaining("runs without checkpointing")
                    .hasStackTraceContaining("Enable checkpointing")
                    .hasStackTraceContaining("The job keeps running");
            // Flink creates the savepoint's directory before it asks the coordinators, and deletes
            // it afterwards, asynchronously: what must be missing is a savepoint's metadata file.
            try (var files = java.nio.file.Files.walk(savepoints)) {
                assertThat(files)
                        .as("no savepoint written")
                        .noneMatch(file -> file.getFileName().toString().equals("_metadata"));
            }

            // The refusal cost the job nothing: it goes on, every value out once.
            gate.allowBelow(20);
            while (RecordingSink.received(run).size() < 20) {
                assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
                Thread.sleep(10);
            }
            job.cancel().get();
            assertThat(RecordingSink.received(run))
                    .containsExactlyInAnyOrderElementsOf(
                            LongStream.range(0, 20).boxed().collect(Collectors.toList()));
        } finally {
            RecordingSink.forget(run);
        }
    }

    /** Notes the round this subtask is in whenever a checkpoint completes. */
    private static final class RoundAtCheckpoint
            implements MapFunction<Long, Long>, IterationListener<Long>, CheckpointListener {
        private final String run;
        private int round;

        RoundAtCheckpoint(String run) {
            this.run = run;
        }

        @Override
        public Long map(Long value) {
            return value;
        }

        @Override
        public void onRoundStart(int round, Context context, Collector<Long> collector) {
            this.round = round;
        }

        @Override
        public void onRoundEnd(int round, Context context, Collector<Long> collector) {}

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            ROUNDS_AT_CHECKPOINTS.get(run).add(round);
        }
    }
}
