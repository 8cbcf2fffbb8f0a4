package io.github.flinkiteration.api.spi;

import io.github.flinkiteration.api.IterationRuntimeContext;

/**
 * The aggregators of the body operator a task thread is running, as {@link IterationRuntimeContext}
 * reaches them: contributions to the current round and the global aggregates of the previous one.
 * The runtime's round wrapper implements it and installs it in {@link CurrentRound} with the round.
 */
public interface RoundAggregates {

    /**
     * Adds {@code value} to this subtask's share of aggregator {@code name} in the current round.
     */
    void add(String name, Object value);

    /**
     * The global value of aggregator {@code name} after the previous round: over every subtask of
     * every body operator; in round 0 the value of an empty aggregate.
     */
    Object previous(String name);
}
