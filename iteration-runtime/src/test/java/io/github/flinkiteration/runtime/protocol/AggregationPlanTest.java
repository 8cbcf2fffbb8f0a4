package io.github.flinkiteration.runtime.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkiteration.api.Aggregators;
import io.github.flinkiteration.api.ConvergenceCriterion;
import io.github.flinkiteration.api.TerminationCondition;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.junit.jupiter.api.Test;

/** How the coordinator merges partial aggregates and judges convergence on them. */
class AggregationPlanTest {

    private final AggregationPlan plan =
            new AggregationPlan(
                    aggregators(),
                    TerminationCondition.whenAggregateConverged(
                                    "sum", ConvergenceCriterion.deltaBelow(0.5))
                            .getAggregateChecks());

    private static Map<String, AggregateFunction<?, ?, ?>> aggregators() {
        Map<String, AggregateFunction<?, ?, ?>> functions = new LinkedHashMap<>();
        functions.put("sum", Aggregators.doubleSum());
        functions.put("min", Aggregators.doubleMin());
        return functions;
    }

    @Test
    void mergesThePartialsOfEverySubtask() {
        Map<String, Object> one = Map.of("sum", plan.add("sum", null, 1.5));
        Map<String, Object> two =
                Map.of("sum", plan.add("sum", plan.add("sum", null, 2.0), 3.0), "min", -4.0);

        Map<String, Object> results = plan.results(List.of(one, two, Map.of()));

        assertThat(results).containsEntry("sum", 6.5).containsEntry("min", -4.0);
    }

    @Test
    void anAggregateNobodyAddedToHasItsInitialValue() {
        assertThat(plan.initialResults())
                .containsEntry("sum", 0.0)
                .containsEntry("min", Double.POSITIVE_INFINITY);
    }

    @Test
    void convergenceComparesARoundWithTheOneBefore() {
        assertThat(plan.converged(0, Map.of("sum", 10.0), null)).isFalse();
        assertThat(plan.converged(1, Map.of("sum", 10.0), Map.of("sum", 9.0))).isFalse();
        assertThat(plan.converged(2, Map.of("sum", 10.2), Map.of("sum", 10.0))).isTrue();
    }

    @Test
    void anUnknownNameIsNamedWithTheDeclaredOnes() {
        assertThatThrownBy(() -> plan.add("total", null, 1.0))
                .hasMessageContaining("no aggregator 'total'")
                .hasMessageContaining("[sum, min]");
    }
}
