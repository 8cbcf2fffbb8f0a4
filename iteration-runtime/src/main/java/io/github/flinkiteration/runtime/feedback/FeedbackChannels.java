package io.github.flinkiteration.runtime.feedback;

import org.apache.flink.runtime.memory.SharedResources;
import org.apache.flink.streaming.runtime.tasks.StreamTask;

/**
 * Finds the channel between head subtask {@code i} and tail subtask {@code i} of one variable (and
 * the round decider next to them).
 *
 * <p>Head and tail share a co-location group, so they run in the same slot of the same TaskManager.
 * The channel lives in that TaskManager's {@link SharedResources}, leased by both sides and
 * disposed when both have released it. The key holds the iteration's id, unique for every iteration
 * built, and the execution attempt, so neither a second job nor a restarted attempt can see
 * another's channel.
 */
public final class FeedbackChannels {

    private FeedbackChannels() {}

    public static String key(String iterationId, String variable, int subtask, int attempt) {
        return "flink-iteration/feedback/"
                + iterationId
                + "/"
                + variable
                + "/"
                + subtask
                + "/"
                + attempt;
    }

    public static FeedbackChannel acquire(StreamTask<?, ?> task, String key, Object leaseHolder)
            throws Exception {
        return task.getEnvironment()
                .getSharedResources()
                .getOrAllocateSharedResource(key, leaseHolder, size -> new FeedbackChannel(), 0)
                .resourceHandle();
    }

    public static void release(StreamTask<?, ?> task, String key, Object leaseHolder)
            throws Exception {
        task.getEnvironment().getSharedResources().release(key, leaseHolder, size -> {});
    }
}
