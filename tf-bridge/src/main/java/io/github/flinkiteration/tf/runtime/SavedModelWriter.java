package io.github.flinkiteration.tf.runtime;

import io.github.flinkiteration.tf.model.ModelWeights;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Writes weights as SavedModels under an export path: {@code <path>/round-<n>} after round {@code n
 * - 1} and {@code <path>/final} at the end. Keeps its own session for that, apart from the
 * trainers'.
 *
 * <p>Each model is written into a new hidden directory inside the export path and then renamed to
 * its name, so a reader sees the old model, no model, or the new one, never half of one. A model
 * that is there already (a restarted training writes the same directories again) is first renamed
 * aside and deleted after the new one is in place. Nothing outside the export path is deleted: a
 * symbolic link in place of a model directory is moved and removed as a link, and a directory that
 * is not a SavedModel is left alone (the export fails instead).
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
        Path root = Path.of(settings.exportPath).toAbsolutePath().normalize();
        Path target = root.resolve(subdirectory);
        Path staging = null;
        try {
            Files.createDirectories(root);
            checkReplaceable(target);
            staging = Files.createTempDirectory(root, "." + subdirectory + ".writing-");
            session.writeWeights(weights);
            session.exportSavedModel(staging);
            replace(root, target, staging, subdirectory);
            staging = null;
        } catch (IOException e) {
            throw new UncheckedIOException("could not export the model to " + target, e);
        } finally {
            if (staging != null) {
                deleteQuietly(staging);
            }
        }
    }

    /** Only a SavedModel (or a link, which is replaced as a link) may be replaced. */
    private static void checkReplaceable(Path target) {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(target)) {
            return;
        }
        if (!Files.isRegularFile(target.resolve("saved_model.pb"))) {
            throw new IllegalStateException(
                    target
                            + " exists and is not a SavedModel; the export would replace it."
                            + " Choose an export path that holds only this training's models");
        }
    }

    /** Renames {@code staging} to {@code target}, moving an existing one aside first. */
    private static void replace(Path root, Path target, Path staging, String subdirectory)
            throws IOException {
        Path old = null;
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            old = Files.createTempDirectory(root, "." + subdirectory + ".replaced-");
            Files.delete(old); // only the unique name is needed
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        if (old != null) {
            deleteQuietly(old);
        }
    }

    /**
     * Deletes {@code path}, a directory this class created inside the export path, with what is in
     * it; links are deleted, not followed. A failure only leaves a hidden directory behind.
     */
    private static void deleteQuietly(Path path) {
        try (Stream<Path> paths = Files.walk(path)) {
            for (Path entry : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(entry);
            }
        } catch (IOException | UncheckedIOException e) {
            // Not worth failing the training for: the model itself is in place.
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
