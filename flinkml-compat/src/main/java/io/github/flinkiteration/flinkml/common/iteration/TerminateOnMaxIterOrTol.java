package io.github.flinkiteration.flinkml.common.iteration;

import io.github.flinkiteration.flinkml.IterationListener;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * A termination-criteria function applied to a loss stream with one value per round: it keeps the
 * iteration going while fewer than {@code maxIter} rounds ran and the round's loss is above {@code
 * tol}.
 *
 * <pre>{@code
 * DataStream<Integer> criteria = loss.flatMap(new TerminateOnMaxIterOrTol(maxIter, tol));
 * }</pre>
 *
 * <p>Each subtask takes at most one loss per round. As on flink-ml, a subtask that got no loss in a
 * round does not ask for another one: the iteration goes on while some subtask's loss of the round
 * is above {@code tol}, so it may run at any parallelism, whichever subtask the loss reaches.
 */
public class TerminateOnMaxIterOrTol
        implements IterationListener<Integer>, FlatMapFunction<Double, Integer> {

    private static final long serialVersionUID = 1L;

    private final int maxIter;
    private final double tol;

    // No loss this round yet: below any tolerance, so a subtask without a loss does not go on.
    private double loss = Double.NEGATIVE_INFINITY;

    /** Stops after {@code maxIter} rounds, or after a round whose loss is at most {@code tol}. */
    public TerminateOnMaxIterOrTol(Integer maxIter, Double tol) {
        this.maxIter = maxIter;
        this.tol = tol;
    }

    /** Stops after a round whose loss is at most {@code tol}. */
    public TerminateOnMaxIterOrTol(Double tol) {
        this(Integer.MAX_VALUE, tol);
    }

    @Override
    public void flatMap(Double value, Collector<Integer> out) {
        if (loss != Double.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException(
                    "TerminateOnMaxIterOrTol got a second loss value in one round ("
                            + loss
                            + ", then "
                            + value
                            + "); reduce the loss to one value per round first.");
        }
        loss = value;
    }

    @Override
    public void onEpochWatermarkIncremented(
            int epochWatermark, Context context, Collector<Integer> collector) {
        if (epochWatermark + 1 < maxIter && loss > tol) {
            collector.collect(0);
        }
        loss = Double.NEGATIVE_INFINITY;
    }

    @Override
    public void onIterationTerminated(Context context, Collector<Integer> collector) {}
}
