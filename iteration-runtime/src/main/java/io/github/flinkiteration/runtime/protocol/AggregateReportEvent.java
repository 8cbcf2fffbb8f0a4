package io.github.flinkiteration.runtime.protocol;

import java.util.Map;

/**
 * From a body operator's subtask, at the end of round {@code round}: its partial accumulators of
 * that round by aggregator name. It also carries the global values of the latest round the subtask
 * learned ({@code knownRound}, -1 for none), so that a controller that forgot them in a restore
 * learns them back. A restored subtask sends its last report again.
 */
public final class AggregateReportEvent implements ParticipantEvent {

    private static final long serialVersionUID = 1L;

    private final long round;
    private final Map<String, Object> partials;
    private final long knownRound;
    private final Map<String, Object> knownValues;

    public AggregateReportEvent(
            long round, Map<String, Object> partials, long knownRound, Map<String, Object> known) {
        this.round = round;
        this.partials = partials;
        this.knownRound = knownRound;
        this.knownValues = known;
    }

    /** The round reported; -1 when the subtask ended no round yet (it only passes on values). */
    public long getRound() {
        return round;
    }

    public Map<String, Object> getPartials() {
        return partials;
    }

    public long getKnownRound() {
        return knownRound;
    }

    public Map<String, Object> getKnownValues() {
        return knownValues;
    }

    @Override
    public void deliverTo(Receiver receiver, int subtask) {
        receiver.onAggregateReport(subtask, this);
    }

    @Override
    public String toString() {
        return "AggregateReport{round=" + round + ", partials=" + partials + "}";
    }
}
