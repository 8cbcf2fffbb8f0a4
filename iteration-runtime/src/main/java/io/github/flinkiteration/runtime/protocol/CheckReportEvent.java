package io.github.flinkiteration.runtime.protocol;

/**
 * From a termination-check subtask: in round {@code round} its stream got {@code records} records,
 * and (for a convergence criterion) whether the criterion holds. A check whose stream has ended for
 * good reports {@code round == Integer.MAX_VALUE}: nothing, in every later round.
 */
public final class CheckReportEvent implements ParticipantEvent {

    private static final long serialVersionUID = 1L;

    private final long round;
    private final long records;
    private final boolean stop;

    public CheckReportEvent(long round, long records, boolean stop) {
        this.round = round;
        this.records = records;
        this.stop = stop;
    }

    public long getRound() {
        return round;
    }

    public long getRecords() {
        return records;
    }

    public boolean isStop() {
        return stop;
    }

    @Override
    public void deliverTo(Receiver receiver, int subtask) {
        receiver.onCheckReport(subtask, this);
    }

    @Override
    public String toString() {
        return "CheckReport{round=" + round + ", records=" + records + ", stop=" + stop + "}";
    }
}
