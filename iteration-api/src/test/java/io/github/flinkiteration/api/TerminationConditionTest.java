package io.github.flinkiteration.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure-Java parts of the termination API. */
class TerminationConditionTest {

    @Test
    void orKeepsTheSmallerRoundLimit() {
        assertThat(
                        TerminationCondition.maxRounds(10)
                                .or(TerminationCondition.maxRounds(4))
                                .getMaxRounds())
                .hasValue(4);
        assertThat(TerminationCondition.maxRounds(7).getMaxRounds()).hasValue(7);
    }

    @Test
    void roundLimitMustBePositive() {
        assertThatThrownBy(() -> TerminationCondition.maxRounds(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one round");
    }

    @Test
    void deltaBelowComparesTheSumsOfConsecutiveRounds() {
        ConvergenceCriterion<Double> criterion = ConvergenceCriterion.deltaBelow(0.1);
        assertThat(criterion.isConverged(context(0, List.of(1.0), List.of()))).isFalse();
        assertThat(criterion.isConverged(context(1, List.of(1.0, 0.5), List.of(1.45)))).isTrue();
        assertThat(criterion.isConverged(context(1, List.of(1.0, 0.5), List.of(1.2)))).isFalse();
        assertThatThrownBy(() -> ConvergenceCriterion.deltaBelow(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static ConvergenceCriterion.Context<Double> context(
            int round, List<Double> records, List<Double> previous) {
        return new ConvergenceCriterion.Context<>() {
            @Override
            public int getRound() {
                return round;
            }

            @Override
            public List<Double> getStreamRecords() {
                return records;
            }

            @Override
            public List<Double> getPreviousStreamRecords() {
                return previous;
            }
        };
    }
}
