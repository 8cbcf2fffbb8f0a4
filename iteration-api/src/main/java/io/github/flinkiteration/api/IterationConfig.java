package io.github.flinkiteration.api;

import java.io.Serializable;
import java.util.Objects;

/**
 * Options of an iteration.
 *
 * <pre>{@code
 * new BoundedIteration()
 *         .withConfig(IterationConfig.builder()
 *                 .defaultLifecycle(OperatorLifecycle.ALL_ROUND)
 *                 .build())
 *         ...
 * }</pre>
 */
public final class IterationConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    private final OperatorLifecycle defaultLifecycle;
    private final boolean lastFeedbackEntersBody;
    private final boolean rescalableCheckpoints;

    private IterationConfig(Builder builder) {
        this.defaultLifecycle = builder.defaultLifecycle;
        this.lastFeedbackEntersBody = builder.lastFeedbackEntersBody;
        this.rescalableCheckpoints = builder.rescalableCheckpoints;
    }

    /** The default configuration: every operator of the body lives for all rounds. */
    public static IterationConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The lifecycle of the body's operators. */
    public OperatorLifecycle getDefaultLifecycle() {
        return defaultLifecycle;
    }

    /**
     * Whether the feedback of a bounded iteration's last round still enters the body before it ends
     * (see {@link Builder#lastFeedbackEntersBody(boolean)}); false by default.
     */
    public boolean isLastFeedbackEnteringBody() {
        return lastFeedbackEntersBody;
    }

    /**
     * Whether every checkpoint of a bounded iteration is taken between two rounds, so that a
     * restart from it may change the parallelism (see {@link
     * Builder#rescalableCheckpoints(boolean)}); false by default.
     */
    public boolean isRescalableCheckpoints() {
        return rescalableCheckpoints;
    }

    /** Builds an {@link IterationConfig}. */
    public static final class Builder {
        private OperatorLifecycle defaultLifecycle = OperatorLifecycle.ALL_ROUND;
        private boolean lastFeedbackEntersBody;
        private boolean rescalableCheckpoints;

        private Builder() {}

        /** Sets the lifecycle of the body's operators; {@code ALL_ROUND} by default. */
        public Builder defaultLifecycle(OperatorLifecycle lifecycle) {
            this.defaultLifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
            return this;
        }

        /**
         * Lets the feedback of a bounded iteration's last round {@code n − 1} enter the body before
         * the iteration ends, as flink-ml's iterations did: operators process those records as
         * records of round {@code n} (and may emit them to outputs), but round {@code n} never
         * ends: no {@code onRoundEnd(n)} comes, {@code onIterationTerminated} follows, and what
         * per-round operators or feedback streams make of those records is dropped. Off by default:
         * the last round's feedback is discarded. Ignored by unbounded iterations.
         *
         * <pre>{@code
         * IterationConfig.builder().lastFeedbackEntersBody(true).build();
         * }</pre>
         */
        public Builder lastFeedbackEntersBody(boolean enters) {
            this.lastFeedbackEntersBody = enters;
            return this;
        }

        /**
         * Takes every checkpoint of a bounded iteration between two rounds, as its savepoints
         * always are, so that the job can restart from a checkpoint at another parallelism (the
         * adaptive scheduler does after losing a TaskManager). Before each checkpoint's barriers
         * are injected, the heads finish starting the round they are in and hold the next one until
         * the barriers passed them; so each checkpoint costs up to a round's pause, and a
         * checkpoint whose round does not come to its boundary within the checkpoint timeout is
         * given up. A checkpoint taken in the middle of a round is refused at another parallelism.
         * Off by default. Ignored by unbounded iterations, whose checkpoints always rescale.
         *
         * <pre>{@code
         * IterationConfig.builder().rescalableCheckpoints(true).build();
         * }</pre>
         */
        public Builder rescalableCheckpoints(boolean rescalable) {
            this.rescalableCheckpoints = rescalable;
            return this;
        }

        public IterationConfig build() {
            return new IterationConfig(this);
        }
    }
}
