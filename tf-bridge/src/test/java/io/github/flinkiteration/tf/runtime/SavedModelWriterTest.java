package io.github.flinkiteration.tf.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkiteration.tf.model.LogisticRegressionDefinition;
import io.github.flinkiteration.tf.model.ModelSource;
import io.github.flinkiteration.tf.model.ModelWeights;
import io.github.flinkiteration.tf.params.OptimizerType;
import io.github.flinkiteration.tf.params.RemainderPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exports are written into a hidden directory of the export path and renamed into place; a model
 * already there is replaced, a link in its place is replaced as a link (what it points to is left
 * alone), and a directory that is not a SavedModel is never deleted.
 */
class SavedModelWriterTest {

    @TempDir Path temp;

    private static ModelWeights weights(float value) {
        return new ModelWeights(
                new String[] {
                    LogisticRegressionDefinition.BIAS, LogisticRegressionDefinition.WEIGHTS
                },
                new long[][] {{1}, {2, 1}},
                new float[][] {{value}, {value, -value}});
    }

    private static SavedModelWriter writer(Path exportPath) {
        return new SavedModelWriter(
                new TrainingSettings(
                        ModelSource.of(new LogisticRegressionDefinition()),
                        2,
                        OptimizerType.GRADIENT_DESCENT,
                        0.1f,
                        8,
                        RemainderPolicy.PARTIAL,
                        exportPath.toString(),
                        0));
    }

    private static String[] entries(Path directory) throws Exception {
        try (Stream<Path> paths = Files.list(directory)) {
            return paths.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
        }
    }

    @Test
    void aSecondExportReplacesTheFirstAndLeavesNoTemporaryDirectory() throws Exception {
        Path export = temp.resolve("export");
        try (SavedModelWriter writer = writer(export)) {
            writer.write(weights(1f), SavedModelWriter.FINAL);
            assertThat(ModelSession.readSavedModelWeights(export.resolve("final").toString()))
                    .isEqualTo(weights(1f));
            writer.write(weights(2f), SavedModelWriter.FINAL);
        }
        assertThat(ModelSession.readSavedModelWeights(export.resolve("final").toString()))
                .isEqualTo(weights(2f));
        assertThat(entries(export)).containsExactly("final");
    }

    @Test
    void aLinkInPlaceOfTheModelIsReplacedWithoutTouchingItsTarget() throws Exception {
        Path export = temp.resolve("export");
        Path elsewhere = temp.resolve("elsewhere");
        try (SavedModelWriter writer = writer(elsewhere)) {
            writer.write(weights(1f), SavedModelWriter.FINAL); // a SavedModel outside the path
        }
        Path outside = elsewhere.resolve("final");
        Files.writeString(outside.resolve("keep.txt"), "not the export's");
        Files.createDirectories(export);
        Files.createSymbolicLink(export.resolve("final"), outside);

        try (SavedModelWriter writer = writer(export)) {
            writer.write(weights(2f), SavedModelWriter.FINAL);
        }

        assertThat(Files.isSymbolicLink(export.resolve("final"))).isFalse();
        assertThat(ModelSession.readSavedModelWeights(export.resolve("final").toString()))
                .isEqualTo(weights(2f));
        assertThat(outside.resolve("keep.txt")).hasContent("not the export's");
        assertThat(ModelSession.readSavedModelWeights(outside.toString())).isEqualTo(weights(1f));
        assertThat(entries(export)).containsExactly("final");
    }

    @Test
    void aDirectoryThatIsNotASavedModelIsNeverDeleted() throws Exception {
        Path export = temp.resolve("export");
        Path data = Files.createDirectories(export.resolve("final"));
        Files.writeString(data.resolve("data.csv"), "1,2,3");

        try (SavedModelWriter writer = writer(export)) {
            assertThatThrownBy(() -> writer.write(weights(1f), SavedModelWriter.FINAL))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContainingAll(
                            "final exists and is not a SavedModel",
                            "Choose an export path that holds only this training's models");
        }
        assertThat(data.resolve("data.csv")).hasContent("1,2,3");
        assertThat(entries(export)).containsExactly("final");
    }
}
