package io.github.flinkiteration.tf.runtime;

import io.github.flinkiteration.tf.model.ModelSource;
import io.github.flinkiteration.tf.params.OptimizerType;
import io.github.flinkiteration.tf.params.RemainderPolicy;
import java.io.Serializable;

/** The validated settings the training operators need, shipped with them to the cluster. */
public final class TrainingSettings implements Serializable {

    public final ModelSource model;
    public final int numFeatures;
    public final OptimizerType optimizer;
    public final float learningRate;
    public final int batchSize;
    public final RemainderPolicy remainderPolicy;

    /** Where to export SavedModels, or {@code null}. */
    public final String exportPath;

    /** Export every this many rounds (0: only at the end). */
    public final int exportEveryRounds;

    public TrainingSettings(
            ModelSource model,
            int numFeatures,
            OptimizerType optimizer,
            float learningRate,
            int batchSize,
            RemainderPolicy remainderPolicy,
            String exportPath,
            int exportEveryRounds) {
        this.model = model;
        this.numFeatures = numFeatures;
        this.optimizer = optimizer;
        this.learningRate = learningRate;
        this.batchSize = batchSize;
        this.remainderPolicy = remainderPolicy;
        this.exportPath = exportPath;
        this.exportEveryRounds = exportEveryRounds;
    }

    /** Fails, naming both counts, unless {@code example} has the model's number of features. */
    void checkFeatures(TrainingExample example) {
        if (example.features.length != numFeatures) {
            throw new IllegalStateException(
                    "a row has "
                            + example.features.length
                            + " features, the model takes "
                            + numFeatures);
        }
    }

    ModelSession openSession() {
        return ModelSession.open(model, numFeatures, optimizer, learningRate);
    }
}
