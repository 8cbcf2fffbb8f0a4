package io.github.flinkiteration.runtime.checkpoint;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.streaming.runtime.tasks.StreamTask;

/**
 * What an iteration's checkpoints require, checked when its operators start. Failures at start are
 * for good ({@link SuppressRestartsException}): a restart would fail the same way.
 */
public final class CheckpointPreconditions {

    private static final String PARALLELISM_STATE = "flink-iteration.parallelism";

    private CheckpointPreconditions() {}

    /**
     * Rejects unaligned checkpoints: they would store records in flight on Flink's channels
     * independently of the feedback the channel logs, so the loop's cut would not be consistent.
     */
    public static void requireAlignedCheckpoints(StreamTask<?, ?> task, String operator) {
        Configuration job = task.getEnvironment().getJobConfiguration();
        if (CheckpointingOptions.isCheckpointingEnabled(job)
                && CheckpointingOptions.isUnalignedCheckpointEnabled(job)) {
            throw new SuppressRestartsException(
                    new UnsupportedOperationException(
                            "Unaligned checkpoints are enabled, but iterations support aligned"
                                    + " checkpoints only ("
                                    + operator
                                    + "). Disable them with"
                                    + " env.getCheckpointConfig().enableUnalignedCheckpoints(false)"
                                    + " or execution.checkpointing.unaligned.enabled: false."));
        }
        if (CheckpointingOptions.isCheckpointingEnabled(job)
                && CheckpointingOptions.getCheckpointingMode(job)
                        == CheckpointingMode.AT_LEAST_ONCE) {
            throw new SuppressRestartsException(
                    new UnsupportedOperationException(
                            "Checkpoints are at-least-once, but iterations need exactly-once"
                                    + " checkpoints ("
                                    + operator
                                    + "): at-least-once checkpoints do not align their"
                                    + " barriers, so the feedback going round the loop would be"
                                    + " cut inconsistently and repeated after a restore. Use"
                                    + " CheckpointingMode.EXACTLY_ONCE"
                                    + " (execution.checkpointing.mode: EXACTLY_ONCE)."));
        }
    }

    /**
     * Refuses a snapshot whose barriers Flink does not align. A job without checkpointing runs in
     * at-least-once mode, and a savepoint of it (also the one of stop-with-savepoint) passes
     * barriers without blocking the channels behind them: body operators then process feedback that
     * a head sent after its snapshot, before their own, and the restored loop holds that feedback
     * twice. Throwing here fails the task, and with it the savepoint, instead of writing a
     * savepoint that would duplicate records.
     */
    public static void requireAlignedSnapshot(StreamTask<?, ?> task, String operator) {
        Configuration job = task.getEnvironment().getJobConfiguration();
        if (CheckpointingOptions.getCheckpointingMode(job) == CheckpointingMode.AT_LEAST_ONCE) {
            throw new IllegalStateException(
                    "The "
                            + operator
                            + " refuses a savepoint of a job without checkpointing: Flink takes it"
                            + " at-least-once, without aligning barriers, and the feedback going"
                            + " round the loop would be cut inconsistently (repeated after a"
                            + " restore). Enable checkpointing, for example"
                            + " env.enableCheckpointing(60_000) or execution.checkpointing.interval,"
                            + " before taking savepoints of a job with an iteration.");
        }
    }

    /**
     * Records the operator's parallelism in its checkpoints and returns the one it was checkpointed
     * at, or -1 if none (a fresh start, or a checkpoint of an older version).
     */
    public static int recordParallelism(OperatorStateStore store, int parallelism)
            throws Exception {
        ListState<Integer> recorded =
                store.getUnionListState(
                        new ListStateDescriptor<>(PARALLELISM_STATE, IntSerializer.INSTANCE));
        int old = -1;
        Iterable<Integer> before = recorded.get();
        if (before != null) {
            for (Integer value : before) {
                if (value != parallelism) {
                    old = value;
                } else if (old < 0) {
                    old = value;
                }
            }
        }
        recorded.clear();
        recorded.add(parallelism);
        return old;
    }

    /**
     * The failure of an operator of a bounded iteration restored at another parallelism from a
     * snapshot taken in the middle of a round. Bounded iterations run in lock-step, and such a
     * snapshot cuts a round in two: each subtask holds the next round's feedback and the records
     * that ran ahead on some of its input channels, and has seen the round's end on some channels
     * and not on others. Which channels those were is lost when the channels change, so the cut
     * cannot be split or merged (see docs/failure-semantics.md §7). Savepoints, and checkpoints of
     * iterations built with rescalable checkpoints, are taken between two rounds and rescale.
     */
    public static SuppressRestartsException notRescalable(
            String operator, int oldParallelism, int parallelism) {
        return new SuppressRestartsException(
                new IllegalStateException(
                        "The iteration's "
                                + operator
                                + " was checkpointed at parallelism "
                                + oldParallelism
                                + " in the middle of a round and is restored at parallelism "
                                + parallelism
                                + ". A bounded iteration can change its parallelism only from a"
                                + " snapshot taken between two rounds: a mid-round cut holds"
                                + " per-subtask, per-channel state that cannot be split or"
                                + " merged. Restore at parallelism "
                                + oldParallelism
                                + ", or take a savepoint (savepoints of bounded iterations are"
                                + " taken between two rounds), or build the iteration with"
                                + " IterationConfig.builder().rescalableCheckpoints(true) so"
                                + " that its checkpoints are too."));
    }

    /** A restore at another parallelism refused for {@code reason}, without restarts. */
    private static SuppressRestartsException refusedParallelism(
            String operator, int oldParallelism, int parallelism, String reason) {
        return new SuppressRestartsException(
                new IllegalStateException(
                        "The iteration's "
                                + operator
                                + " was checkpointed at parallelism "
                                + oldParallelism
                                + " and is restored at parallelism "
                                + parallelism
                                + ". "
                                + reason
                                + " Restore at parallelism "
                                + oldParallelism
                                + ", or start the job without this snapshot."));
    }
}
