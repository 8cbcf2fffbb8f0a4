package io.github.flinkiteration.runtime.protocol;

/**
 * Why an iteration stopped, as the metric {@code terminationReason} and the log show it. Decided
 * where the round is decided: by {@link ProgressPlan#stopReason} at a head or round decider, by the
 * coordinator when termination checks take part.
 */
public enum TerminationReason {
    /** Not stopped yet. */
    RUNNING("running"),
    /** The round limit of {@code maxRounds(n)} was reached. */
    MAX_ROUNDS("max-rounds"),
    /** A bounded iteration's round fed nothing back. */
    NO_FEEDBACK("no-feedback"),
    /** An unbounded iteration's inputs ended and a round fed nothing back: the loop drained. */
    INPUT_ENDED("input-ended"),
    /** A {@code whenConverged} criterion held. */
    CONVERGED("converged"),
    /** A {@code whenEmpty} stream got no record in a round. */
    EMPTY("empty"),
    /**
     * The subtask was restored from a checkpoint taken after the iteration stopped; checkpoints do
     * not keep the reason.
     */
    UNKNOWN("unknown");

    private final String label;

    TerminationReason(String label) {
        this.label = label;
    }

    /** The name shown in metrics and logs, e.g. {@code max-rounds}. */
    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }
}
