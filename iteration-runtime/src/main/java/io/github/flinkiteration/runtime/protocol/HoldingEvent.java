package io.github.flinkiteration.runtime.protocol;

/**
 * From a head subtask holding for a rescalable snapshot ({@link SnapshotHoldEvent}): it has emitted
 * the whole of round {@code round} (its records and its round watermark; -1 when its initial input
 * has not ended) and starts nothing more until the snapshot passed it. {@code terminated} when the
 * iteration had already ended here.
 */
public final class HoldingEvent implements ParticipantEvent {

    private static final long serialVersionUID = 1L;

    private final long checkpointId;
    private final long round;
    private final boolean terminated;

    public HoldingEvent(long checkpointId, long round, boolean terminated) {
        this.checkpointId = checkpointId;
        this.round = round;
        this.terminated = terminated;
    }

    public long getCheckpointId() {
        return checkpointId;
    }

    public long getRound() {
        return round;
    }

    public boolean isTerminated() {
        return terminated;
    }

    @Override
    public void deliverTo(Receiver receiver, int subtask) {
        receiver.onHolding(subtask, this);
    }

    @Override
    public String toString() {
        return "Holding{checkpoint="
                + checkpointId
                + ", round="
                + round
                + (terminated ? ", terminated" : "")
                + "}";
    }
}
