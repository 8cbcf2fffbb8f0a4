package io.github.flinkiteration.runtime.protocol;

/**
 * The first event of every subtask attempt of a head, termination check or replay operator: where
 * it stands, fresh or restored from a checkpoint. The controller keeps no state of its own in
 * checkpoints; after a restore it learns from these which rounds were already decided, and the
 * subtasks send their last report again (reports are idempotent).
 *
 * <p>{@code round} is the last round a head or replay started (-1 for none) or the last round a
 * check reported; {@code terminated} says that a head had already stopped.
 */
public final class ResumeEvent implements ParticipantEvent {

    private static final long serialVersionUID = 1L;

    private final long round;
    private final boolean terminated;

    public ResumeEvent(long round, boolean terminated) {
        this.round = round;
        this.terminated = terminated;
    }

    public long getRound() {
        return round;
    }

    public boolean isTerminated() {
        return terminated;
    }

    @Override
    public void deliverTo(Receiver receiver, int subtask) {
        receiver.onResume(subtask, this);
    }

    @Override
    public String toString() {
        return "Resume{round=" + round + ", terminated=" + terminated + "}";
    }
}
