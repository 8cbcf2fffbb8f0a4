package io.github.flinkiteration.runtime.feedback;

import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.runtime.memory.SharedResources;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;

/**
 * Finds the channel between head subtask {@code i} and tail subtask {@code i} of one variable (and
 * the round decider next to them).
 *
 * <p>Head and tail share a co-location group, so they run in the same slot of the same TaskManager.
 * The channel lives in that TaskManager's {@link SharedResources}, leased by both sides and
 * disposed (closed, which deletes its spill file) when both have released it. The key holds the
 * iteration's id, unique for every iteration built, and the execution attempt, so neither a second
 * job nor a restarted attempt can see another's channel.
 */
public final class FeedbackChannels {

    private FeedbackChannels() {}

    /**
     * Leases the channel of {@code operator}'s subtask and attempt for {@code variable}; {@code
     * operator} is the lease holder and must {@link #release} it when it closes.
     */
    public static FeedbackChannel acquire(
            AbstractStreamOperator<?> operator, String iterationId, String variable)
            throws Exception {
        return operator.getContainingTask()
                .getEnvironment()
                .getSharedResources()
                .getOrAllocateSharedResource(
                        key(operator, iterationId, variable),
                        operator,
                        size -> new FeedbackChannel(HandoffSpill.of(operator, variable)),
                        0)
                .resourceHandle();
    }

    /** Gives back the lease {@link #acquire} took for {@code operator}. */
    public static void release(
            AbstractStreamOperator<?> operator, String iterationId, String variable)
            throws Exception {
        operator.getContainingTask()
                .getEnvironment()
                .getSharedResources()
                .release(key(operator, iterationId, variable), operator, size -> {});
    }

    private static String key(
            AbstractStreamOperator<?> operator, String iterationId, String variable) {
        TaskInfo task = operator.getRuntimeContext().getTaskInfo();
        return "flink-iteration/feedback/"
                + iterationId
                + "/"
                + variable
                + "/"
                + task.getIndexOfThisSubtask()
                + "/"
                + task.getAttemptNumber();
    }
}
