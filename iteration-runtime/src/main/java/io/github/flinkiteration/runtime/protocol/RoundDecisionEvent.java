package io.github.flinkiteration.runtime.protocol;

import org.apache.flink.runtime.operators.coordination.OperatorEvent;

/**
 * To every head subtask: start round {@code nextRound}, or stop the iteration, saying why. An
 * operator event is never checkpointed, so the reason changes no checkpoint format.
 */
public final class RoundDecisionEvent implements OperatorEvent {

    private static final long serialVersionUID = 2L;

    private final long nextRound;
    private final TerminationReason reason;

    private RoundDecisionEvent(long nextRound, TerminationReason reason) {
        this.nextRound = nextRound;
        this.reason = reason;
    }

    public static RoundDecisionEvent startRound(long round) {
        return new RoundDecisionEvent(round, TerminationReason.RUNNING);
    }

    /** Stop the iteration, because of {@code reason}. */
    public static RoundDecisionEvent terminate(TerminationReason reason) {
        if (reason == TerminationReason.RUNNING) {
            throw new IllegalArgumentException("A termination needs a reason");
        }
        return new RoundDecisionEvent(-1, reason);
    }

    public long getNextRound() {
        return nextRound;
    }

    public boolean isTerminate() {
        return reason != TerminationReason.RUNNING;
    }

    /** Why the iteration stops; {@link TerminationReason#RUNNING} for a start. */
    public TerminationReason getReason() {
        return reason;
    }

    /**
     * A subtask that is no longer running needs no decision: it finished (a stop-with-savepoint
     * ends the job while decisions held back for the savepoint go out) or it restarts from a
     * snapshot and learns the rounds again. Only such losses are tolerated by Flink.
     */
    @Override
    public boolean isLossTolerant() {
        return true;
    }

    @Override
    public String toString() {
        return isTerminate() ? "Terminate{" + reason + "}" : "StartRound{" + nextRound + "}";
    }
}
