package io.github.flinkiteration.runtime.protocol;

/**
 * A {@code RoundDeciderOperator}'s decision, handed to its co-located head through the feedback
 * channel: after round {@code round}, stop or start the next one. A head applies it only once the
 * round is complete at its own subtask, so a decision may arrive early (after a restore) or twice.
 */
public final class RoundDecision implements FeedbackItem {

    public final long round;
    public final boolean stop;

    public RoundDecision(long round, boolean stop) {
        this.round = round;
        this.stop = stop;
    }

    @Override
    public void accept(Handler handler) throws Exception {
        handler.onDecision(this);
    }

    @Override
    public String toString() {
        return "RoundDecision{round=" + round + ", " + (stop ? "stop" : "continue") + "}";
    }
}
