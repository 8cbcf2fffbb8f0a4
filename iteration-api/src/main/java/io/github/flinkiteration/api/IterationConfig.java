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

    private IterationConfig(Builder builder) {
        this.defaultLifecycle = builder.defaultLifecycle;
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

    /** Builds an {@link IterationConfig}. */
    public static final class Builder {
        private OperatorLifecycle defaultLifecycle = OperatorLifecycle.ALL_ROUND;

        private Builder() {}

        /** Sets the lifecycle of the body's operators; {@code ALL_ROUND} by default. */
        public Builder defaultLifecycle(OperatorLifecycle lifecycle) {
            this.defaultLifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
            return this;
        }

        public IterationConfig build() {
            return new IterationConfig(this);
        }
    }
}
