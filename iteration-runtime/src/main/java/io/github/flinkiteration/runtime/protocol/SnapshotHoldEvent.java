package io.github.flinkiteration.runtime.protocol;

import org.apache.flink.runtime.operators.coordination.OperatorEvent;

/**
 * From the coordinator to every head of a bounded iteration: a rescalable snapshot (a savepoint, or
 * any checkpoint when the iteration asked for rescalable checkpoints) is about to be taken, so that
 * its barriers cross the loop between two rounds.
 *
 * <p>A head that gets it starts no round beyond {@link #getUpToRound()} and defers the end of the
 * iteration until the snapshot {@link #getCheckpointId()} passed it (or was given up), and answers
 * with a {@link HoldingEvent} once it stands at a round it will not leave. A first event holds a
 * head where it stands ({@link #WHERE_IT_STANDS}); a second one lets heads that lag catch up with
 * the latest round any head had started.
 */
public final class SnapshotHoldEvent implements OperatorEvent {

    private static final long serialVersionUID = 1L;

    /** The round limit of a first hold: the round the head has started, or is starting, now. */
    public static final long WHERE_IT_STANDS = Long.MIN_VALUE;

    /** The round limit of a release: the snapshot passed or was given up, go on. */
    public static final long RELEASE = Long.MAX_VALUE;

    private final long checkpointId;
    private final long upToRound;

    private SnapshotHoldEvent(long checkpointId, long upToRound) {
        this.checkpointId = checkpointId;
        this.upToRound = upToRound;
    }

    /** Hold where you stand for snapshot {@code checkpointId}. */
    public static SnapshotHoldEvent hold(long checkpointId) {
        return new SnapshotHoldEvent(checkpointId, WHERE_IT_STANDS);
    }

    /** Start rounds up to {@code round}, not beyond, for snapshot {@code checkpointId}. */
    public static SnapshotHoldEvent catchUp(long checkpointId, long round) {
        return new SnapshotHoldEvent(checkpointId, round);
    }

    /** Snapshot {@code checkpointId} passed or was given up: hold no longer. */
    public static SnapshotHoldEvent release(long checkpointId) {
        return new SnapshotHoldEvent(checkpointId, RELEASE);
    }

    public long getCheckpointId() {
        return checkpointId;
    }

    public long getUpToRound() {
        return upToRound;
    }

    public boolean isRelease() {
        return upToRound == RELEASE;
    }

    /**
     * A head that is no longer running needs no hold: one that finished (a stop-with-savepoint ends
     * the job right after the snapshot) or failed (it restarts from a snapshot and holds for
     * nothing). Without this, Flink fails over a task that an event could not reach.
     */
    @Override
    public boolean isLossTolerant() {
        return true;
    }

    @Override
    public String toString() {
        return "SnapshotHold{checkpoint="
                + checkpointId
                + ", upTo="
                + (upToRound == WHERE_IT_STANDS
                        ? "where it stands"
                        : isRelease() ? "released" : String.valueOf(upToRound))
                + "}";
    }
}
