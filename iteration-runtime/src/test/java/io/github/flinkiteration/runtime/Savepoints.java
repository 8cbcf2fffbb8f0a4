package io.github.flinkiteration.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ExceptionUtils;

/** Savepoints for the tests that stop a job and resume it. */
final class Savepoints {

    private Savepoints() {}

    /**
     * Stops {@code job} with a savepoint in {@code directory}, without draining. Flink refuses a
     * savepoint until every task runs, and the round deciders may start after output has already
     * been seen; a source that is finishing while the savepoint is triggered declines it: asks
     * again until it is taken.
     */
    static String stopWithSavepoint(JobClient job, Path directory) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return job.stopWithSavepoint(
                                false, directory.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get();
            } catch (ExecutionException e) {
                if (attempt == 50 || !isTransient(e)) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /**
     * Refusals that pass. "Task local checkpoint failure" is also what the client gets when a task
     * the job manager asked had just finished (the "unknown task" message that says so stays in the
     * job manager's log); a snapshot that really fails fails every attempt.
     */
    private static boolean isTransient(ExecutionException e) {
        return ExceptionUtils.findThrowableWithMessage(e, "Not all required tasks").isPresent()
                || ExceptionUtils.findThrowableWithMessage(e, "tasks not ready").isPresent()
                || ExceptionUtils.findThrowableWithMessage(e, "unknown task").isPresent()
                || ExceptionUtils.findThrowableWithMessage(e, "Task local checkpoint failure")
                        .isPresent();
    }

    /**
     * An environment whose job starts from {@code snapshot} (a savepoint or retained checkpoint
     * path) on {@code backend}, at {@code parallelism}.
     */
    static StreamExecutionEnvironment resumedFrom(
            String snapshot, String backend, int parallelism) {
        return resumed(snapshot, backend, parallelism, false);
    }

    /**
     * {@link #resumedFrom}, for a job that no longer has some operator of the snapshot's (a source
     * replaced by another): their state is dropped.
     */
    static StreamExecutionEnvironment resumedIgnoringUnclaimedState(
            String snapshot, String backend, int parallelism) {
        return resumed(snapshot, backend, parallelism, true);
    }

    private static StreamExecutionEnvironment resumed(
            String snapshot, String backend, int parallelism, boolean ignoreUnclaimedState) {
        Configuration resume = new Configuration();
        resume.set(StateBackendOptions.STATE_BACKEND, backend);
        resume.set(StateRecoveryOptions.SAVEPOINT_PATH, snapshot);
        resume.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, ignoreUnclaimedState);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(resume);
        env.setParallelism(parallelism);
        return env;
    }

    /**
     * Checkpoints {@code env}'s job every 100 ms into {@code directory}, and keeps them when the
     * job is cancelled, so that a test can restore from one.
     */
    static StreamExecutionEnvironment retainingCheckpoints(
            StreamExecutionEnvironment env, Path directory) {
        Configuration retained = new Configuration();
        retained.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, directory.toUri().toString());
        retained.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        env.configure(retained);
        env.enableCheckpointing(100);
        return env;
    }

    /** Waits until a checkpoint under {@code checkpoints} has completed. */
    static void awaitRetainedCheckpoint(Path checkpoints) throws Exception {
        while (latestRetainedCheckpoint(checkpoints) == null) {
            Thread.sleep(20);
        }
    }

    /**
     * The latest checkpoint that completed under {@code checkpoints}, as written by a job of {@link
     * #retainingCheckpoints}; null if none. Flink deletes older ones as newer ones complete: ask
     * once the job has stopped.
     */
    static Path latestRetainedCheckpoint(Path checkpoints) throws Exception {
        Path latest = null;
        long latestId = -1;
        try (var jobs = Files.list(checkpoints)) {
            for (Path job : (Iterable<Path>) jobs::iterator) {
                try (var taken = Files.list(job)) {
                    for (Path checkpoint : (Iterable<Path>) taken::iterator) {
                        String name = checkpoint.getFileName().toString();
                        if (name.startsWith("chk-")
                                && Files.exists(checkpoint.resolve("_metadata"))
                                && Long.parseLong(name.substring(4)) > latestId) {
                            latestId = Long.parseLong(name.substring(4));
                            latest = checkpoint;
                        }
                    }
                }
            }
        }
        return latest;
    }
}
