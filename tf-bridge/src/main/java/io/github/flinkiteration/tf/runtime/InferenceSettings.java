package io.github.flinkiteration.tf.runtime;

import io.github.flinkiteration.tf.model.ModelSource;
import java.io.Serializable;

/** The validated settings the scoring operator needs, shipped with it to the cluster. */
public final class InferenceSettings implements Serializable {

    public final ModelSource model;

    /**
     * The input columns. With {@link #namedInputs} each feeds the signature input of its name;
     * otherwise they are concatenated into one feature matrix.
     */
    public final FeatureColumns features;

    /** Whether the model's serving signature takes its inputs by name (see {@link #features}). */
    public final boolean namedInputs;

    /**
     * Per input column, the signature input's type: true for a string tensor. Named inputs only.
     */
    public final boolean[] stringInputs;

    /** Per input column, the rank of the signature input (1 or 2). Named inputs only. */
    public final int[] inputRanks;

    /** Per output column, the signature output it takes. Named inputs only; else unused. */
    public final String[] outputNames;

    /** Per output column, what it holds. */
    public final OutputKind[] outputKinds;

    public final int batchSize;

    /** The longest a row waits in a partial batch; 0 scores every row at once. */
    public final long maxDelayMillis;

    /** Settings for a model that takes one feature matrix (a TFEstimator's or its export). */
    public static InferenceSettings forFeatureMatrix(
            ModelSource model,
            FeatureColumns features,
            OutputKind[] outputKinds,
            int batchSize,
            long maxDelayMillis) {
        return new InferenceSettings(
                model,
                features,
                false,
                new boolean[0],
                new int[0],
                new String[0],
                outputKinds,
                batchSize,
                maxDelayMillis);
    }

    /** Settings for a SavedModel signature whose inputs and outputs are matched by name. */
    public static InferenceSettings forNamedSignature(
            ModelSource model,
            FeatureColumns inputs,
            boolean[] stringInputs,
            int[] inputRanks,
            String[] outputNames,
            OutputKind[] outputKinds,
            int batchSize,
            long maxDelayMillis) {
        return new InferenceSettings(
                model,
                inputs,
                true,
                stringInputs,
                inputRanks,
                outputNames,
                outputKinds,
                batchSize,
                maxDelayMillis);
    }

    private InferenceSettings(
            ModelSource model,
            FeatureColumns features,
            boolean namedInputs,
            boolean[] stringInputs,
            int[] inputRanks,
            String[] outputNames,
            OutputKind[] outputKinds,
            int batchSize,
            long maxDelayMillis) {
        this.model = model;
        this.features = features;
        this.namedInputs = namedInputs;
        this.stringInputs = stringInputs.clone();
        this.inputRanks = inputRanks.clone();
        this.outputNames = outputNames.clone();
        this.outputKinds = outputKinds.clone();
        this.batchSize = batchSize;
        this.maxDelayMillis = maxDelayMillis;
    }

    /** The number of feature values per row of a feature-matrix model. */
    public int numFeatures() {
        return features.width();
    }

    public int numOutputs() {
        return outputKinds.length;
    }

    ModelSession openSession() {
        return ModelSession.openForInference(model, namedInputs ? 0 : numFeatures());
    }

    BatchScorer scorer() {
        return namedInputs ? new NamedSignatureScorer(this) : new FeatureMatrixScorer(this);
    }
}
