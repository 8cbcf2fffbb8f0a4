package io.github.flinkiteration.api;

/**
 * A handle on one aggregator of the iteration, from {@link IterationRuntimeContext#aggregator}:
 * values added in round {@code r} by any subtask of any body operator are combined into one global
 * value, which every function reads in round {@code r + 1} with {@link
 * IterationRuntimeContext#previousAggregate}.
 *
 * <pre>{@code
 * IterationAggregator<Double> dangling = IterationRuntimeContext.aggregator("danglingMass");
 * dangling.add(rank);
 * }</pre>
 *
 * @param <IN> what the aggregator takes
 */
public final class IterationAggregator<IN> {

    private final String name;

    IterationAggregator(String name) {
        this.name = name;
    }

    /**
     * Adds {@code value} to the aggregate of the current round. Call it while processing a record
     * or in {@code onRoundStart}/{@code onRoundEnd}; values added in {@code onIterationTerminated}
     * belong to no round and are dropped.
     */
    public void add(IN value) {
        IterationRuntimeContext.aggregatesOf(name).add(name, value);
    }

    /** The aggregator's name, as declared. */
    public String getName() {
        return name;
    }
}
