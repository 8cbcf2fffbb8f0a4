package io.github.flinkiteration.tf.runtime;

import io.github.flinkiteration.tf.model.ModelWeights;

/**
 * What one online trainer subtask sends after its step on model version {@code version}: its
 * weights after training on its share of the step's rows, how many rows that was, and the
 * row-weighted sum of the batch losses. A Flink POJO.
 */
public class StepUpdate {

    /** The version the step started from. */
    public long version;

    public int subtask;
    public ModelWeights weights;
    public long rows;
    public double lossSum;

    public StepUpdate() {}

    public StepUpdate(long version, int subtask, ModelWeights weights, long rows, double lossSum) {
        this.version = version;
        this.subtask = subtask;
        this.weights = weights;
        this.rows = rows;
        this.lossSum = lossSum;
    }
}
