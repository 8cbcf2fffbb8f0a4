package io.github.flinkiteration.runtime.checkpoint;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.streaming.runtime.tasks.StreamTask;

/**
 * What an iteration's checkpoints require, checked when its operators start. Both failures are for
 * good ({@link SuppressRestartsException}): a restart would fail the same way.
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
    }

    /**
     * Fails when the operator is restored at another parallelism than it was checkpointed at: round
     * progress, held records and feedback in flight belong to one subtask each and cannot be split
     * or merged.
     */
    public static void requireSameParallelism(
            OperatorStateStore store, int parallelism, String operator) throws Exception {
        ListState<Integer> recorded =
                store.getUnionListState(
                        new ListStateDescriptor<>(PARALLELISM_STATE, IntSerializer.INSTANCE));
        Iterable<Integer> before = recorded.get();
        if (before != null) {
            for (Integer old : before) {
                if (old != parallelism) {
                    throw new SuppressRestartsException(
                            new IllegalStateException(
                                    "The iteration's "
                                            + operator
                                            + " was checkpointed at parallelism "
                                            + old
                                            + " and is restored at parallelism "
                                            + parallelism
                                            + ". The operators of an iteration (heads, tails,"
                                            + " replays, termination checks and every body"
                                            + " operator) keep per-subtask round progress and"
                                            + " feedback in flight, which cannot be"
                                            + " redistributed: restore at parallelism "
                                            + old
                                            + ", or start the job without this"
                                            + " checkpoint."));
                }
            }
        }
        recorded.clear();
        recorded.add(parallelism);
    }
}
