package io.github.flinkiteration.tf.estimator;

import io.github.flinkiteration.tf.model.ModelSource;
import io.github.flinkiteration.tf.model.ModelWeights;
import io.github.flinkiteration.tf.params.InvalidParameterException;
import io.github.flinkiteration.tf.params.OptimizerType;
import io.github.flinkiteration.tf.runtime.ModelSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds the weights a training starts from, on the client while {@code fit} builds the job: the
 * model's own initial values, or those of a warm start. Building the model here also checks the
 * definition (or the SavedModel) before anything runs.
 */
final class StartingWeights {

    private StartingWeights() {}

    static ModelWeights resolve(
            ModelSource model,
            String modelParameter,
            int numFeatures,
            OptimizerType optimizer,
            float learningRate,
            String warmStartPath) {
        try (ModelSession session =
                open(model, modelParameter, numFeatures, optimizer, learningRate)) {
            if (warmStartPath == null) {
                return session.readWeights();
            }
            ModelWeights start = session.readWeights();
            ModelWeights warm = readWarmStart(warmStartPath);
            try {
                return warmStarted(start, warm, modelVariables(model, numFeatures));
            } catch (IllegalArgumentException e) {
                throw new InvalidParameterException(
                        "warmStartPath",
                        warmStartPath
                                + " was saved from a different model: "
                                + e.getMessage()
                                + "; warm-start from a model with the same variables");
            }
        }
    }

    /**
     * {@code start} with the values of {@code warm}, matched by name: every variable of the model
     * itself ({@code modelVariables}) must be in {@code warm} with its shape; the optimizer's
     * variables are taken when {@code warm} has them (a TFEstimator export) and otherwise keep
     * their initial values (a model exported without them, as TensorFlow 2 serving exports are).
     */
    static ModelWeights warmStarted(
            ModelWeights start, ModelWeights warm, Set<String> modelVariables) {
        ModelWeights result = start.copy();
        for (int i = 0; i < start.size(); i++) {
            String name = start.names[i];
            int source = warm.indexOf(name);
            if (source < 0) {
                if (modelVariables.contains(name)) {
                    throw new IllegalArgumentException(
                            "it has no variable "
                                    + name
                                    + " "
                                    + Arrays.toString(start.shapes[i])
                                    + " (it has "
                                    + warm
                                    + ")");
                }
                continue;
            }
            if (!Arrays.equals(start.shapes[i], warm.shapes[source])) {
                throw new IllegalArgumentException(
                        "variable "
                                + name
                                + " has shape "
                                + Arrays.toString(start.shapes[i])
                                + " in the model but "
                                + Arrays.toString(warm.shapes[source])
                                + " there");
            }
            result.values[i] = warm.values[source].clone();
        }
        return result;
    }

    /** The names of the model's variables without the optimizer's. */
    private static Set<String> modelVariables(ModelSource model, int numFeatures) {
        try (ModelSession plain = ModelSession.openForInference(model, numFeatures)) {
            return new HashSet<>(List.of(plain.readWeights().names));
        }
    }

    private static ModelSession open(
            ModelSource model,
            String modelParameter,
            int numFeatures,
            OptimizerType optimizer,
            float learningRate) {
        try {
            return ModelSession.open(model, numFeatures, optimizer, learningRate);
        } catch (InvalidParameterException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new InvalidParameterException(
                    modelParameter, "could not build the model " + model + ": " + e.getMessage());
        }
    }

    private static ModelWeights readWarmStart(String path) {
        Path location = Path.of(path);
        if (Files.isDirectory(location)) {
            try {
                return ModelSession.readSavedModelWeights(path);
            } catch (RuntimeException e) {
                throw new InvalidParameterException(
                        "warmStartPath",
                        "could not read the variables of the SavedModel in "
                                + path
                                + ": "
                                + e.getMessage());
            }
        }
        if (Files.isRegularFile(location)) {
            try {
                return ModelWeights.readFrom(location);
            } catch (IOException e) {
                throw new InvalidParameterException(
                        "warmStartPath",
                        "could not read weights from " + path + ": " + e.getMessage());
            }
        }
        throw new InvalidParameterException(
                "warmStartPath",
                path
                        + " does not exist; give a SavedModel directory or a file written by"
                        + " ModelWeights#writeTo");
    }
}
