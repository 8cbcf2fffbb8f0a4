package io.github.flinkiteration.runtime.wrapper;

/**
 * An {@code IterationListener} callback of a body operator threw. Flink reports the failure of the
 * task, which names only the task's chain; this says which operator, which callback and which
 * round, and carries the user's exception as its cause.
 */
final class ListenerCallbackException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * @param when the round the callback was called for, in words ("in round 3", "after round 5")
     */
    ListenerCallbackException(
            String operator, int subtask, String callback, String when, Exception cause) {
        super(
                "IterationListener#"
                        + callback
                        + " of operator '"
                        + operator
                        + "' (subtask "
                        + subtask
                        + ") threw "
                        + when
                        + ": "
                        + cause,
                cause);
    }
}
