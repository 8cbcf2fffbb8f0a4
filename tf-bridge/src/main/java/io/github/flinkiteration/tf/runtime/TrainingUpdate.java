package io.github.flinkiteration.tf.runtime;

import io.github.flinkiteration.tf.model.ModelWeights;

/**
 * What one trainer subtask sends at the end of a round: its weights after training on its
 * partition, the rows they were trained on, and the row-weighted sum of its batch losses. A Flink
 * POJO.
 */
public class TrainingUpdate {

    public ModelWeights weights;

    /** Rows trained on (padding included); the weight of these weights in the average. */
    public long rows;

    /** Σ batch loss × batch rows. */
    public double lossSum;

    public TrainingUpdate() {}

    public TrainingUpdate(ModelWeights weights, long rows, double lossSum) {
        this.weights = weights;
        this.rows = rows;
        this.lossSum = lossSum;
    }
}
