package io.github.flinkiteration.tf.model;

import java.io.Serializable;
import java.util.Objects;

/**
 * Where a model's graph comes from: a {@link TFModelDefinition} built in Java, or a {@link
 * SavedModelDefinition}. Exactly one of the two is set.
 */
public final class ModelSource implements Serializable {

    private final TFModelDefinition definition;
    private final SavedModelDefinition savedModel;

    private ModelSource(TFModelDefinition definition, SavedModelDefinition savedModel) {
        this.definition = definition;
        this.savedModel = savedModel;
    }

    public static ModelSource of(TFModelDefinition definition) {
        return new ModelSource(Objects.requireNonNull(definition, "definition"), null);
    }

    public static ModelSource of(SavedModelDefinition savedModel) {
        return new ModelSource(null, Objects.requireNonNull(savedModel, "savedModel"));
    }

    /** The Java definition, or {@code null} when the model is a SavedModel. */
    public TFModelDefinition definition() {
        return definition;
    }

    /** The SavedModel, or {@code null} when the model is built in Java. */
    public SavedModelDefinition savedModel() {
        return savedModel;
    }

    @Override
    public String toString() {
        return definition != null ? definition.toString() : savedModel.toString();
    }
}
