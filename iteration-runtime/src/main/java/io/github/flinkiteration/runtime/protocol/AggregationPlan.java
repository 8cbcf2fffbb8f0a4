package io.github.flinkiteration.runtime.protocol;

import io.github.flinkiteration.api.ConvergenceCriterion;
import io.github.flinkiteration.api.TerminationCondition.AggregateCheck;
import io.github.flinkiteration.api.spi.SaturatedRound;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.AggregateFunction;

/**
 * The aggregators of one iteration and the convergence checks on them, known from graph-build time.
 * Body wrappers accumulate with the functions, the round controller merges the partials and judges
 * the checks. The rules for accumulating and merging live here, so both sides apply the same.
 */
public final class AggregationPlan implements Serializable {

    private static final long serialVersionUID = 1L;

    private final LinkedHashMap<String, AggregateFunction<?, ?, ?>> functions;
    private final ArrayList<AggregateCheck<?>> checks;

    public AggregationPlan(
            Map<String, AggregateFunction<?, ?, ?>> functions, List<AggregateCheck<?>> checks) {
        this.functions = new LinkedHashMap<>(functions);
        this.checks = new ArrayList<>(checks);
    }

    public Map<String, AggregateFunction<?, ?, ?>> getFunctions() {
        return Collections.unmodifiableMap(functions);
    }

    public List<AggregateCheck<?>> getChecks() {
        return Collections.unmodifiableList(checks);
    }

    /** {@code accumulator} with {@code value} added; a fresh accumulator when it is null. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Object add(String name, Object accumulator, Object value) {
        AggregateFunction function = function(name);
        Object acc = accumulator == null ? function.createAccumulator() : accumulator;
        return function.add(value, acc);
    }

    /**
     * The global values of one round from the subtasks' partial accumulators: per aggregator, the
     * merge of every partial that has one, or the value of an empty accumulator.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Map<String, Object> results(Iterable<Map<String, Object>> partials) {
        Map<String, Object> merged = merge(partials);
        Map<String, Object> results = new HashMap<>();
        for (Map.Entry<String, AggregateFunction<?, ?, ?>> entry : functions.entrySet()) {
            AggregateFunction function = entry.getValue();
            Object acc = merged.get(entry.getKey());
            results.put(
                    entry.getKey(),
                    function.getResult(acc == null ? function.createAccumulator() : acc));
        }
        return results;
    }

    /**
     * Partial accumulators merged per aggregator; an aggregator no partial has is left out, as in a
     * subtask's partials when nothing was added to it.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Map<String, Object> merge(Iterable<Map<String, Object>> partials) {
        Map<String, Object> merged = new HashMap<>();
        for (Map.Entry<String, AggregateFunction<?, ?, ?>> entry : functions.entrySet()) {
            AggregateFunction function = entry.getValue();
            for (Map<String, Object> partial : partials) {
                Object acc = partial.get(entry.getKey());
                if (acc != null) {
                    merged.merge(entry.getKey(), acc, function::merge);
                }
            }
        }
        return merged;
    }

    /** The values every aggregator has before the first round ends. */
    public Map<String, Object> initialResults() {
        return results(List.of());
    }

    /**
     * Whether a convergence check on the aggregates holds after {@code round}; {@code previous} is
     * {@code null} when the previous round's values are not known (round 0).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public boolean converged(
            long round, Map<String, Object> current, Map<String, Object> previous) {
        for (AggregateCheck<?> check : checks) {
            List<Object> now = List.of(current.get(check.getAggregator()));
            List<Object> before =
                    previous == null ? List.of() : List.of(previous.get(check.getAggregator()));
            ConvergenceCriterion criterion = check.getCriterion();
            ConvergenceCriterion.Context<Object> context =
                    new ConvergenceCriterion.Context<>() {
                        @Override
                        public int getRound() {
                            return SaturatedRound.of(round);
                        }

                        @Override
                        public List<Object> getStreamRecords() {
                            return now;
                        }

                        @Override
                        public List<Object> getPreviousStreamRecords() {
                            return before;
                        }
                    };
            if (criterion.isConverged(context)) {
                return true;
            }
        }
        return false;
    }

    /** The declared function of {@code name}; fails naming the declared ones. */
    public AggregateFunction<?, ?, ?> function(String name) {
        AggregateFunction<?, ?, ?> function = functions.get(name);
        if (function == null) {
            throw new IllegalArgumentException(
                    "This iteration has no aggregator '"
                            + name
                            + "'; it declares "
                            + functions.keySet()
                            + ". Declare it with IterationDeclaration.builder().withAggregator(\""
                            + name
                            + "\", ...) or use one of these names.");
        }
        return function;
    }
}
