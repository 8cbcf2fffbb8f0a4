package io.github.flinkiteration.runtime.feedback;

import org.apache.flink.runtime.execution.Environment;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;

/**
 * Finds the channel between head subtask {@code i} and tail subtask {@code i} of one variable (and
 * the round decider next to them), or between a broadcast relay and the operator it serves.
 *
 * <p>Both sides share a co-location group, so they run in the same slot of the same TaskManager.
 * The channel lives in that TaskManager's {@code SharedResources}, leased by both sides and
 * disposed (closed, which deletes its spill file) when both have released it. The key holds the
 * iteration's id (or the relay's), unique for every iteration built, and the execution attempt, so
 * neither a second job nor a restarted attempt can see another's channel.
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
        return acquire(
                operator.getContainingTask().getEnvironment(), operator, iterationId, variable);
    }

    /**
     * Leases the channel of the subtask and attempt running in {@code environment}, for a lease
     * holder that is not an {@code AbstractStreamOperator}.
     */
    public static FeedbackChannel acquire(
            Environment environment, Object leaseHolder, String iterationId, String variable)
            throws Exception {
        return environment
                .getSharedResources()
                .getOrAllocateSharedResource(
                        key(environment, iterationId, variable),
                        leaseHolder,
                        size -> new FeedbackChannel(HandoffSpill.of(environment, variable)),
                        0)
                .resourceHandle();
    }

    /** Gives back the lease {@link #acquire} took for {@code operator}. */
    public static void release(
            AbstractStreamOperator<?> operator, String iterationId, String variable)
            throws Exception {
        release(operator.getContainingTask().getEnvironment(), operator, iterationId, variable);
    }

    /** Gives back the lease {@code leaseHolder} took. */
    public static void release(
            Environment environment, Object leaseHolder, String iterationId, String variable)
            throws Exception {
        environment
                .getSharedResources()
                .release(key(environment, iterationId, variable), leaseHolder, size -> {});
    }

    private static String key(Environment environment, String iterationId, String variable) {
        return "flink-iteration/feedback/"
                + iterationId
                + "/"
                + variable
                + "/"
                + environment.getTaskInfo().getIndexOfThisSubtask()
                + "/"
                + environment.getTaskInfo().getAttemptNumber();
    }
}
