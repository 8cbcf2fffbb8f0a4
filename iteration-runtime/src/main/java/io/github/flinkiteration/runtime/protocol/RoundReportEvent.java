package io.github.flinkiteration.runtime.protocol;

/**
 * From a head subtask: round {@code round} is done here (its feedback has all arrived) and it
 * brought {@code feedbackRecords} records for the next round.
 */
public final class RoundReportEvent implements ParticipantEvent {

    private static final long serialVersionUID = 1L;

    private final long round;
    private final long feedbackRecords;

    public RoundReportEvent(long round, long feedbackRecords) {
        this.round = round;
        this.feedbackRecords = feedbackRecords;
    }

    public long getRound() {
        return round;
    }

    public long getFeedbackRecords() {
        return feedbackRecords;
    }

    @Override
    public void deliverTo(Receiver receiver, int subtask) {
        receiver.onRoundReport(subtask, this);
    }

    @Override
    public String toString() {
        return "RoundReport{round=" + round + ", feedbackRecords=" + feedbackRecords + "}";
    }
}
