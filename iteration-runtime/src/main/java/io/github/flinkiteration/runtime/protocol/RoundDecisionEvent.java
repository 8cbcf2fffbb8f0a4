package io.github.flinkiteration.runtime.protocol;

import org.apache.flink.runtime.operators.coordination.OperatorEvent;

/** To every head subtask: start round {@code nextRound}, or stop the iteration. */
public final class RoundDecisionEvent implements OperatorEvent {

    private static final long serialVersionUID = 1L;

    private final int nextRound;
    private final boolean terminate;

    private RoundDecisionEvent(int nextRound, boolean terminate) {
        this.nextRound = nextRound;
        this.terminate = terminate;
    }

    public static RoundDecisionEvent startRound(int round) {
        return new RoundDecisionEvent(round, false);
    }

    public static RoundDecisionEvent terminate() {
        return new RoundDecisionEvent(-1, true);
    }

    public int getNextRound() {
        return nextRound;
    }

    public boolean isTerminate() {
        return terminate;
    }

    @Override
    public String toString() {
        return terminate ? "Terminate" : "StartRound{" + nextRound + "}";
    }
}
