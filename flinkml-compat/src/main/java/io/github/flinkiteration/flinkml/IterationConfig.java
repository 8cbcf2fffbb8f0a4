package io.github.flinkiteration.flinkml;

import java.util.Objects;

/**
 * Options of a bounded iteration: whether the body's operators live through all rounds or are
 * created afresh for each round.
 *
 * <pre>{@code
 * IterationConfig config = IterationConfig.newBuilder()
 *         .setOperatorLifeCycle(IterationConfig.OperatorLifeCycle.PER_ROUND)
 *         .build();
 * }</pre>
 */
public class IterationConfig {

    private final OperatorLifeCycle operatorLifeCycle;

    /** A configuration with the given default life cycle for the body's operators. */
    public IterationConfig(OperatorLifeCycle operatorLifeCycle) {
        this.operatorLifeCycle = Objects.requireNonNull(operatorLifeCycle, "operatorLifeCycle");
    }

    /** A builder, with {@link OperatorLifeCycle#ALL_ROUND} unless set otherwise. */
    public static IterationConfigBuilder newBuilder() {
        return new IterationConfigBuilder();
    }

    /** The default life cycle of the operators created in the body. */
    public OperatorLifeCycle getOperatorLifeCycle() {
        return operatorLifeCycle;
    }

    /** How long an operator of the body lives. */
    public enum OperatorLifeCycle {
        /** One instance for the whole iteration. */
        ALL_ROUND,
        /** A new instance for each round, with empty state. */
        PER_ROUND
    }

    /** Builds an {@link IterationConfig}. */
    public static class IterationConfigBuilder {

        private OperatorLifeCycle operatorLifeCycle = OperatorLifeCycle.ALL_ROUND;

        private IterationConfigBuilder() {}

        /** Sets the default life cycle of the body's operators. */
        public IterationConfigBuilder setOperatorLifeCycle(OperatorLifeCycle operatorLifeCycle) {
            this.operatorLifeCycle = Objects.requireNonNull(operatorLifeCycle, "operatorLifeCycle");
            return this;
        }

        public IterationConfig build() {
            return new IterationConfig(operatorLifeCycle);
        }
    }
}
