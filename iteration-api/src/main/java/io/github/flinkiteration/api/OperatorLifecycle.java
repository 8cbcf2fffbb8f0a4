package io.github.flinkiteration.api;

/**
 * How long an operator created inside an iteration body lives.
 *
 * <pre>{@code
 * IterationConfig config =
 *         IterationConfig.builder().defaultLifecycle(OperatorLifecycle.ALL_ROUND).build();
 * }</pre>
 */
public enum OperatorLifecycle {
    /** One instance for the whole iteration; its state lives across rounds. */
    ALL_ROUND,
    /**
     * A fresh instance for every round, whose keyed state, operator state and timers are dropped
     * when the round ends; see {@link IterationContext#forEachRound}. Bounded iterations only.
     */
    PER_ROUND
}
