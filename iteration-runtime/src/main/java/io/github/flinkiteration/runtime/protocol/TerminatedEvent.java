package io.github.flinkiteration.runtime.protocol;

/**
 * A head subtask has applied the iteration's termination: the last round's feedback went into the
 * body where it enters there, and to the final values. The controller ends the control sources only
 * once every head subtask said so. The end of a control source reaches a head over a path of its
 * own (the source's reader, then a network channel), which may overtake the decision; a head whose
 * control input ended first would finish, and the records it emits at termination would come after
 * the body's inputs had ended.
 *
 * <p>Sent again for a termination decision repeated after a restore; the controller counts each
 * subtask once.
 */
public final class TerminatedEvent implements ParticipantEvent {

    private static final long serialVersionUID = 1L;

    @Override
    public void deliverTo(Receiver receiver, int subtask) {
        receiver.onTerminated(subtask, this);
    }

    @Override
    public String toString() {
        return "Terminated";
    }
}
