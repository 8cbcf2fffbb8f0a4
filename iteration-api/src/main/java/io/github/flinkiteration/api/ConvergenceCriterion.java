package io.github.flinkiteration.api;

import java.io.Serializable;
import java.util.List;

/**
 * Decides, once per round, whether an iteration has converged, from all records a reference stream
 * received in that round (from every subtask) and in the round before.
 *
 * <p>The criterion is evaluated on one subtask, after all records of the round have arrived.
 *
 * <pre>{@code
 * ConvergenceCriterion<Double> smallLoss = c ->
 *         c.getStreamRecords().stream().mapToDouble(Double::doubleValue).sum() < 0.01;
 * TerminationCondition stop = TerminationCondition.whenConverged(lossStream, smallLoss);
 * }</pre>
 *
 * @param <T> the element type of the reference stream
 */
@FunctionalInterface
public interface ConvergenceCriterion<T> extends Serializable {

    /** Returns whether the iteration should stop after the round described by {@code context}. */
    boolean isConverged(Context<T> context);

    /**
     * Converged in round {@code r >= 1} when the sum of the records of round {@code r} differs from
     * the sum of the records of round {@code r - 1} by less than {@code tolerance}.
     *
     * <pre>{@code
     * TerminationCondition.whenConverged(losses, ConvergenceCriterion.deltaBelow(1e-6));
     * }</pre>
     */
    static ConvergenceCriterion<Double> deltaBelow(double tolerance) {
        if (!(tolerance > 0)) {
            throw new IllegalArgumentException(
                    "deltaBelow needs a positive tolerance, got "
                            + tolerance
                            + ". Pass the largest change between two rounds' sums that still"
                            + " counts as converged, for example deltaBelow(1e-6).");
        }
        return new DeltaBelow(tolerance);
    }

    /** What a criterion sees of one round. */
    interface Context<T> {
        /**
         * The round that just ended; {@link Integer#MAX_VALUE} for every round past it, which only
         * an unbounded iteration reaches.
         */
        int getRound();

        /** All records of the reference stream in this round, from all subtasks. */
        List<T> getStreamRecords();

        /** All records of the reference stream in the previous round (empty in round 0). */
        List<T> getPreviousStreamRecords();
    }
}
