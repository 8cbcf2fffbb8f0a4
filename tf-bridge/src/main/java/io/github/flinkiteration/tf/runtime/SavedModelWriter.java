package io.github.flinkiteration.tf.runtime;

import io.github.flinkiteration.tf.model.ModelWeights;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Writes weights as SavedModels under an export path: {@code <path>/round-<n>} after round {@code n
 * - 1} and {@code <path>/final} at the end. Keeps its own session for that, apart from the
 * trainers'.
 */
final class SavedModelWriter implements AutoCloseable {

    /** The subdirectory with the model at the end of the training. */
    static final String FINAL = "final";

    private final TrainingSettings settings;
    private ModelSession session;

    SavedModelWriter(TrainingSettings settings) {
        this.settings = settings;
    }

    static String roundDirectory(int roundsDone) {
        return String.format("round-%05d", roundsDone);
    }

    void write(ModelWeights weights, String subdirectory) {
        if (session == null) {
            session = settings.openSession();
        }
        Path target = Path.of(settings.exportPath, subdirectory);
        try {
            // A restarted training writes the same directory again; the newer model wins.
            deleteRecursively(target);
            Files.createDirectories(target.getParent());
            session.writeWeights(weights);
            session.exportSavedModel(target);
        } catch (IOException e) {
            throw new UncheckedIOException("could not export the model to " + target, e);
        }
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    @Override
    public void close() {
        if (session != null) {
            session.close();
            session = null;
        }
    }
}
