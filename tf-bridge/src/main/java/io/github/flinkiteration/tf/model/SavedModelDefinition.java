package io.github.flinkiteration.tf.model;

import java.io.Serializable;
import java.util.Objects;

/**
 * A model loaded from a TensorFlow SavedModel directory (tag {@code serve}) instead of built in
 * Java. The SavedModel must have
 *
 * <ul>
 *   <li>a training signature (key {@value #DEFAULT_TRAIN_SIGNATURE} by default) with inputs {@code
 *       features} [batch, numFeatures] and {@code labels} [batch, 1] ({@code float}) and an output
 *       {@code loss}: a scalar whose evaluation also applies one optimizer step (the loss is
 *       computed before the step);
 *   <li>a serving signature (key {@value #DEFAULT_SERVING_SIGNATURE} by default) with input {@code
 *       features} and output {@code predictions};
 *   <li>its variables as reference variables ({@code VariableV2}) of type {@code float}.
 * </ul>
 *
 * <p>A model exported by a {@code TFEstimator} ({@code setExportPath}) has exactly this form, so a
 * training can continue from one. The directory must be readable from every TaskManager.
 *
 * <p>For inference ({@code TFModel.fromSavedModel}) only the serving signature is needed, of any
 * form (TensorFlow 2 and Keras exports included, with resource variables); a SavedModel with
 * resource variables cannot be trained as it is, but can be the warm start of a {@link
 * TFModelDefinition} with the same variables. Its graph runs with the TaskManagers' rights: load
 * only SavedModels from trusted sources (docs/tf-bridge.md, "Trust").
 *
 * <pre>{@code
 * new TFEstimator().setSavedModel(new SavedModelDefinition("/models/lr/final"))...
 * }</pre>
 */
public final class SavedModelDefinition implements Serializable {

    public static final String DEFAULT_TRAIN_SIGNATURE = "train";
    public static final String DEFAULT_SERVING_SIGNATURE = "serving_default";

    /** Input name of the features in both signatures. */
    public static final String FEATURES = "features";

    /** Input name of the labels in the training signature. */
    public static final String LABELS = "labels";

    /** Output name of the loss in the training signature. */
    public static final String LOSS = "loss";

    /** Output name of the predictions in the serving signature. */
    public static final String PREDICTIONS = "predictions";

    private final String directory;
    private final String trainSignature;
    private final String servingSignature;

    /** The SavedModel in {@code directory} with the default signature keys. */
    public SavedModelDefinition(String directory) {
        this(directory, DEFAULT_TRAIN_SIGNATURE, DEFAULT_SERVING_SIGNATURE);
    }

    public SavedModelDefinition(String directory, String trainSignature, String servingSignature) {
        this.directory = Objects.requireNonNull(directory, "directory");
        this.trainSignature = Objects.requireNonNull(trainSignature, "trainSignature");
        this.servingSignature = Objects.requireNonNull(servingSignature, "servingSignature");
    }

    public String directory() {
        return directory;
    }

    public String trainSignature() {
        return trainSignature;
    }

    public String servingSignature() {
        return servingSignature;
    }

    @Override
    public String toString() {
        return "SavedModel(" + directory + ")";
    }
}
