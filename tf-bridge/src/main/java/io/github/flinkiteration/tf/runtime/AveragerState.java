package io.github.flinkiteration.tf.runtime;

import io.github.flinkiteration.tf.model.ModelWeights;

/** The averager's state in a checkpoint: the round's partial sums and the latest average. */
public class AveragerState {

    /** Σ weights × rows per variable value, of the updates received in this round. */
    public double[][] sums;

    /** The first update's weights of this round (used when no subtask trained a row). */
    public ModelWeights firstOfRound;

    public long rows;
    public double lossSum;

    /** The latest averaged weights, or {@code null} before the first round ended. */
    public ModelWeights latest;

    public AveragerState() {}
}
