package io.github.flinkiteration.api;

import org.apache.flink.api.common.functions.AggregateFunction;

/**
 * Ready-made aggregators for {@link IterationDeclaration.Builder#withAggregator}. Any Flink {@link
 * AggregateFunction} whose accumulator is {@link java.io.Serializable} works as well: partial
 * accumulators travel from the subtasks to the JobManager, where they are merged once per round.
 *
 * <pre>{@code
 * IterationDeclaration.builder()
 *         .withAggregator("danglingMass", Aggregators.doubleSum())
 *         ...
 * }</pre>
 */
public final class Aggregators {

    private Aggregators() {}

    /** The sum of doubles; 0.0 before the first round. */
    public static AggregateFunction<Double, Double, Double> doubleSum() {
        return new DoubleAggregate(DoubleAggregate.Kind.SUM);
    }

    /** The smallest double; {@code +Infinity} before the first round or when nothing was added. */
    public static AggregateFunction<Double, Double, Double> doubleMin() {
        return new DoubleAggregate(DoubleAggregate.Kind.MIN);
    }

    /** The largest double; {@code -Infinity} before the first round or when nothing was added. */
    public static AggregateFunction<Double, Double, Double> doubleMax() {
        return new DoubleAggregate(DoubleAggregate.Kind.MAX);
    }

    /** The sum of longs; 0 before the first round. */
    public static AggregateFunction<Long, Long, Long> longSum() {
        return new LongSum();
    }

    /** Sum, minimum or maximum of doubles; the accumulator is the value so far. */
    private static final class DoubleAggregate
            implements AggregateFunction<Double, Double, Double> {
        private static final long serialVersionUID = 1L;

        enum Kind {
            SUM,
            MIN,
            MAX
        }

        private final Kind kind;

        DoubleAggregate(Kind kind) {
            this.kind = kind;
        }

        @Override
        public Double createAccumulator() {
            switch (kind) {
                case MIN:
                    return Double.POSITIVE_INFINITY;
                case MAX:
                    return Double.NEGATIVE_INFINITY;
                default:
                    return 0.0;
            }
        }

        @Override
        public Double add(Double value, Double accumulator) {
            return merge(accumulator, value);
        }

        @Override
        public Double getResult(Double accumulator) {
            return accumulator;
        }

        @Override
        public Double merge(Double a, Double b) {
            switch (kind) {
                case MIN:
                    return Math.min(a, b);
                case MAX:
                    return Math.max(a, b);
                default:
                    return a + b;
            }
        }

        @Override
        public String toString() {
            return "double " + kind.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final class LongSum implements AggregateFunction<Long, Long, Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public Long createAccumulator() {
            return 0L;
        }

        @Override
        public Long add(Long value, Long accumulator) {
            return accumulator + value;
        }

        @Override
        public Long getResult(Long accumulator) {
            return accumulator;
        }

        @Override
        public Long merge(Long a, Long b) {
            return a + b;
        }

        @Override
        public String toString() {
            return "long sum";
        }
    }
}
