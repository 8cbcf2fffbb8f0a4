package io.github.flinkiteration.tf.runtime;

import io.github.flinkiteration.tf.model.ModelSource;
import java.io.Serializable;

/** The validated settings the scoring operator needs, shipped with it to the cluster. */
public final class InferenceSettings implements Serializable {

    public final ModelSource model;

    /** Positions of the feature columns in the input rows, in the model's order. */
    public final int[] featurePositions;

    public final String[] featureNames;

    /** Per output column: {@code true} for a DOUBLE column, {@code false} for FLOAT. */
    public final boolean[] doubleOutputs;

    public final int batchSize;

    /** The longest a row waits in a partial batch; 0 scores every row at once. */
    public final long maxDelayMillis;

    public InferenceSettings(
            ModelSource model,
            int[] featurePositions,
            String[] featureNames,
            boolean[] doubleOutputs,
            int batchSize,
            long maxDelayMillis) {
        this.model = model;
        this.featurePositions = featurePositions.clone();
        this.featureNames = featureNames.clone();
        this.doubleOutputs = doubleOutputs.clone();
        this.batchSize = batchSize;
        this.maxDelayMillis = maxDelayMillis;
    }

    public int numFeatures() {
        return featurePositions.length;
    }

    public int numOutputs() {
        return doubleOutputs.length;
    }

    ModelSession openSession() {
        return ModelSession.openForInference(model, numFeatures());
    }
}
