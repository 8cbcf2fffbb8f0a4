package io.github.flinkiteration.tf.estimator;

import io.github.flinkiteration.tf.model.ModelSource;
import io.github.flinkiteration.tf.model.ModelWeights;
import io.github.flinkiteration.tf.model.SavedModelDefinition;
import io.github.flinkiteration.tf.params.InvalidParameterException;
import io.github.flinkiteration.tf.params.OptimizerType;
import io.github.flinkiteration.tf.runtime.ModelSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
            ModelWeights warm = readWarmStart(warmStartPath, numFeatures, optimizer, learningRate);
            try {
                session.checkLayout(warm);
            } catch (IllegalArgumentException e) {
                throw new InvalidParameterException(
                        "warmStartPath",
                        warmStartPath
                                + " was saved from a different model: "
                                + e.getMessage()
                                + "; warm-start from a model with the same variables");
            }
            return warm;
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

    private static ModelWeights readWarmStart(
            String path, int numFeatures, OptimizerType optimizer, float learningRate) {
        Path location = Path.of(path);
        if (Files.isDirectory(location)) {
            ModelSource saved = ModelSource.of(new SavedModelDefinition(path));
            try (ModelSession session =
                    open(saved, "warmStartPath", numFeatures, optimizer, learningRate)) {
                return session.readWeights();
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
