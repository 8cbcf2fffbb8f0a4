package io.github.flinkiteration.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * When a {@link BoundedIteration} stops. Conditions combine with {@link #or}: the iteration stops
 * after the first round in which any of them holds. Independently of the condition, a bounded
 * iteration also stops after a round that fed nothing back.
 *
 * <pre>{@code
 * TerminationCondition stop = TerminationCondition.maxRounds(20)
 *         .or(TerminationCondition.whenConverged(loss, ConvergenceCriterion.deltaBelow(1e-6)));
 * }</pre>
 */
public final class TerminationCondition {

    private final int maxRounds;
    private final List<StreamCheck<?>> streamChecks;
    private final List<AggregateCheck<?>> aggregateChecks;

    private TerminationCondition(int maxRounds, List<StreamCheck<?>> streamChecks) {
        this(maxRounds, streamChecks, List.of());
    }

    private TerminationCondition(
            int maxRounds, List<StreamCheck<?>> streamChecks, List<AggregateCheck<?>> aggregates) {
        this.maxRounds = maxRounds;
        this.streamChecks = Collections.unmodifiableList(streamChecks);
        this.aggregateChecks = Collections.unmodifiableList(aggregates);
    }

    /** Runs rounds {@code 0 .. n - 1}; feedback produced in round {@code n - 1} is discarded. */
    public static TerminationCondition maxRounds(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("maxRounds needs at least one round, got " + n);
        }
        return new TerminationCondition(n, List.of());
    }

    /** Stops after the first round {@code r >= 1} in which {@code stream} received no record. */
    public static TerminationCondition whenEmpty(DataStream<?> stream) {
        return new TerminationCondition(0, List.of(new StreamCheck<>(stream, null, true)));
    }

    /** Stops after the first round in which {@code criterion} holds for {@code stream}. */
    public static <T> TerminationCondition whenConverged(
            DataStream<T> stream, ConvergenceCriterion<T> criterion) {
        return new TerminationCondition(
                0,
                List.of(
                        new StreamCheck<>(
                                stream, Objects.requireNonNull(criterion, "criterion"), false)));
    }

    /**
     * Stops after the first round in which {@code criterion} holds for the global value of the
     * aggregator {@code aggregator} (declared with {@link
     * IterationDeclaration.Builder#withAggregator}). The criterion's context holds that round's
     * aggregate as its only record, and the previous round's (none in round 0) as the previous
     * records. It is evaluated on the JobManager when the round is decided.
     *
     * <pre>{@code
     * TerminationCondition.whenAggregateConverged("change", c -> c.getStreamRecords().get(0) < 1e-9);
     * }</pre>
     */
    public static <T> TerminationCondition whenAggregateConverged(
            String aggregator, ConvergenceCriterion<T> criterion) {
        return new TerminationCondition(
                0,
                List.of(),
                List.of(
                        new AggregateCheck<>(
                                Objects.requireNonNull(aggregator, "aggregator"),
                                Objects.requireNonNull(criterion, "criterion"))));
    }

    /** Stops when this condition or {@code other} holds. */
    public TerminationCondition or(TerminationCondition other) {
        Objects.requireNonNull(other, "other");
        int combinedMax;
        if (maxRounds == 0 || other.maxRounds == 0) {
            combinedMax = Math.max(maxRounds, other.maxRounds);
        } else {
            combinedMax = Math.min(maxRounds, other.maxRounds);
        }
        List<StreamCheck<?>> checks = new ArrayList<>(streamChecks);
        checks.addAll(other.streamChecks);
        List<AggregateCheck<?>> aggregates = new ArrayList<>(aggregateChecks);
        aggregates.addAll(other.aggregateChecks);
        return new TerminationCondition(combinedMax, checks, aggregates);
    }

    /** The round limit, if any. */
    public OptionalInt getMaxRounds() {
        return maxRounds == 0 ? OptionalInt.empty() : OptionalInt.of(maxRounds);
    }

    /** The per-round checks on streams of the body. */
    public List<StreamCheck<?>> getStreamChecks() {
        return streamChecks;
    }

    /** The per-round checks on aggregators. */
    public List<AggregateCheck<?>> getAggregateChecks() {
        return aggregateChecks;
    }

    /** A convergence criterion on the global value of one aggregator. */
    public static final class AggregateCheck<T> implements java.io.Serializable {
        private static final long serialVersionUID = 1L;

        private final String aggregator;
        private final ConvergenceCriterion<T> criterion;

        AggregateCheck(String aggregator, ConvergenceCriterion<T> criterion) {
            this.aggregator = aggregator;
            this.criterion = criterion;
        }

        public String getAggregator() {
            return aggregator;
        }

        public ConvergenceCriterion<T> getCriterion() {
            return criterion;
        }
    }

    /**
     * One check on a stream of the body: either "the stream got no record" ({@link #isEmptiness})
     * or a {@link ConvergenceCriterion}.
     */
    public static final class StreamCheck<T> {
        private final DataStream<T> stream;
        private final ConvergenceCriterion<T> criterion;
        private final boolean emptiness;

        StreamCheck(DataStream<T> stream, ConvergenceCriterion<T> criterion, boolean emptiness) {
            this.stream = Objects.requireNonNull(stream, "reference stream");
            this.criterion = criterion;
            this.emptiness = emptiness;
        }

        public DataStream<T> getStream() {
            return stream;
        }

        /** The criterion; {@code null} for an emptiness check. */
        public ConvergenceCriterion<T> getCriterion() {
            return criterion;
        }

        public boolean isEmptiness() {
            return emptiness;
        }
    }
}
