package io.github.flinkiteration.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.flinkiteration.tf.estimator.TFEstimator;
import io.github.flinkiteration.tf.model.LogisticRegressionDefinition;
import io.github.flinkiteration.tf.model.ModelSource;
import io.github.flinkiteration.tf.model.ModelWeights;
import io.github.flinkiteration.tf.model.SavedModelDefinition;
import io.github.flinkiteration.tf.params.OptimizerType;
import io.github.flinkiteration.tf.runtime.ModelSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Export as SavedModels (every N rounds and at the end), reloading them, and continuing a training
 * from them: as a warm start (SavedModel or weights file) or as the model itself.
 */
class ExportAndWarmStartTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TFCluster.extension();

    private static final int BATCH = 32;
    private static final float LEARNING_RATE = 0.1f;
    private static final List<Row> TRAINING = BlobData.rows(1_000, 41);
    private static final List<Row> HELD_OUT = BlobData.rows(200, 42);

    @TempDir Path temp;

    @Test
    void exportsEveryNRoundsAndAtTheEndAndTheReloadPredictsIdentically() throws Exception {
        Path export = temp.resolve("export");
        TrainingRun run =
                train(2, estimator(4).setExportPath(export.toString()).setExportEveryRounds(2));

        assertThat(export.resolve("round-00002/saved_model.pb")).isRegularFile();
        assertThat(export.resolve("round-00004/saved_model.pb")).isRegularFile();
        assertThat(export.resolve("final/saved_model.pb")).isRegularFile();
        assertThat(export.resolve("round-00006")).doesNotExist();

        ModelWeights trained = run.finalWeights();
        float[] features = heldOutFeatures();
        float[] reloaded = servingPredictions(export.resolve("final"), features);
        float[] rebuilt;
        try (ModelSession session =
                ModelSession.open(
                        ModelSource.of(new LogisticRegressionDefinition()),
                        BlobData.DIMENSIONS,
                        OptimizerType.GRADIENT_DESCENT,
                        LEARNING_RATE)) {
            session.writeWeights(trained);
            rebuilt = session.predict(features, HELD_OUT.size());
        }
        assertThat(reloaded).containsExactly(rebuilt);
        for (int r = 0; r < HELD_OUT.size(); r++) {
            double expected =
                    JavaPredictor.probability(trained, BlobData.features(HELD_OUT.get(r)));
            assertThat((double) reloaded[r]).isCloseTo(expected, within(1e-5));
        }
        float[] afterTwoRounds = servingPredictions(export.resolve("round-00002"), features);
        assertThat(afterTwoRounds).isNotEqualTo(reloaded);
    }

    @Test
    void warmStartsContinueFromTheSavedModelWithALowerLoss() throws Exception {
        Path export = temp.resolve("first");
        TrainingRun first = train(1, estimator(3).setExportPath(export.toString()));
        Path weightsFile = temp.resolve("first.weights");
        first.finalWeights().writeTo(weightsFile);

        TrainingRun fromSavedModel =
                train(1, estimator(2).setWarmStartPath(export.resolve("final").toString()));
        TrainingRun fromWeightsFile =
                train(1, estimator(2).setWarmStartPath(weightsFile.toString()));
        TrainingRun asSavedModel =
                train(
                        1,
                        new TFEstimator()
                                .setInputCols(BlobData.FEATURES)
                                .setLabelCol(BlobData.LABEL)
                                .setSavedModel(
                                        new SavedModelDefinition(
                                                export.resolve("final").toString()))
                                .setBatchSize(BATCH)
                                .setMaxRounds(2));

        double firstStart = first.losses.get(0).loss;
        double firstEnd = first.losses.get(first.losses.size() - 1).loss;
        assertThat(fromSavedModel.losses.get(0).loss)
                .as("a warm start begins where the first training ended")
                .isLessThan(firstStart)
                .isLessThan(firstEnd);
        // The same starting weights and data at p = 1 give the same training, however loaded.
        assertThat(fromWeightsFile.lossValues())
                .usingElementComparator((a, b) -> Math.abs(a - b) < 1e-9 ? 0 : 1)
                .isEqualTo(fromSavedModel.lossValues());
        // The SavedModel trains with the optimizer step it was exported with: the same one.
        assertThat(asSavedModel.lossValues())
                .usingElementComparator((a, b) -> Math.abs(a - b) < 1e-6 ? 0 : 1)
                .isEqualTo(fromSavedModel.lossValues());
    }

    private TFEstimator estimator(int rounds) {
        return BlobData.logisticRegression()
                .setOptimizer(OptimizerType.GRADIENT_DESCENT)
                .setLearningRate(LEARNING_RATE)
                .setBatchSize(BATCH)
                .setMaxRounds(rounds);
    }

    private static TrainingRun train(int parallelism, TFEstimator estimator) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        return TrainingRun.execute(env, estimator.fit(env.fromData(TRAINING, BlobData.rowType())));
    }

    private static float[] heldOutFeatures() {
        float[] features = new float[HELD_OUT.size() * BlobData.DIMENSIONS];
        for (int r = 0; r < HELD_OUT.size(); r++) {
            System.arraycopy(
                    BlobData.features(HELD_OUT.get(r)),
                    0,
                    features,
                    r * BlobData.DIMENSIONS,
                    BlobData.DIMENSIONS);
        }
        return features;
    }

    /** Predictions of a SavedModel through its serving signature, with plain TF Java. */
    private static float[] servingPredictions(Path directory, float[] features) throws Exception {
        assertThat(Files.isDirectory(directory)).isTrue();
        int rows = features.length / BlobData.DIMENSIONS;
        try (SavedModelBundle bundle = SavedModelBundle.load(directory.toString(), "serve");
                TFloat32 x =
                        TFloat32.tensorOf(
                                Shape.of(rows, BlobData.DIMENSIONS), DataBuffers.of(features));
                Result result =
                        bundle.function(SavedModelDefinition.DEFAULT_SERVING_SIGNATURE)
                                .call(Map.of(SavedModelDefinition.FEATURES, x))) {
            TFloat32 predictions =
                    (TFloat32) result.get(SavedModelDefinition.PREDICTIONS).orElseThrow();
            float[] values = new float[rows];
            predictions.copyTo(DataBuffers.of(values, false, false));
            return values;
        }
    }
}
