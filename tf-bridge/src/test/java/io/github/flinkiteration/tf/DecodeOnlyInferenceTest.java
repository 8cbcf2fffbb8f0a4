package io.github.flinkiteration.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.flinkiteration.tf.estimator.TFModel;
import io.github.flinkiteration.tf.model.LogisticRegressionDefinition;
import io.github.flinkiteration.tf.model.ModelSource;
import io.github.flinkiteration.tf.model.ModelWeights;
import io.github.flinkiteration.tf.params.OptimizerType;
import io.github.flinkiteration.tf.runtime.ModelSession;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inference without any training configuration: a model from a weights file or a SavedModel
 * directory, given only its input and output columns, scores a bounded stream or a Table like the
 * plain-Java forward pass of its weights, and every row comes out even when no batch fills and the
 * max delay never passes (the end of the input flushes).
 */
class DecodeOnlyInferenceTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TFCluster.extension();

    private static final ModelWeights WEIGHTS = LrWeights.scaled(2);
    private static final List<Row> ROWS = IdRows.of(BlobData.rows(100, 91));
    private static final int OUTPUT = IdRows.TYPE_NAMES.length;

    @TempDir Path temp;

    @Test
    void aWeightsFileScoresABoundedStreamAndTheEndOfInputFlushes() throws Exception {
        Path file = temp.resolve("lr.weights");
        WEIGHTS.writeTo(file);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        TFModel model =
                TFModel.fromWeightsFile(new LogisticRegressionDefinition(), file.toString())
                        .setInputCols(BlobData.FEATURES)
                        .setOutputCols("probability")
                        .setOutputTypes(Types.DOUBLE)
                        .setBatchSize(7)
                        .setMaxDelay(Duration.ofHours(1));
        List<Row> scored = new ArrayList<>();
        try (CloseableIterator<Row> it =
                model.transform(env.fromData(ROWS, IdRows.type())).executeAndCollect()) {
            it.forEachRemaining(scored::add);
        }

        assertThat(scored).hasSize(ROWS.size());
        for (Row row : scored) {
            assertThat((Double) row.getField(OUTPUT))
                    .isCloseTo(
                            JavaPredictor.probability(WEIGHTS, IdRows.features(row)), within(1e-6));
            assertThat(row.getField(OUTPUT + 1)).isEqualTo(0L);
        }
    }

    @Test
    void aSavedModelScoresATable() throws Exception {
        Path saved = temp.resolve("saved");
        try (ModelSession session =
                ModelSession.open(
                        ModelSource.of(new LogisticRegressionDefinition()),
                        BlobData.DIMENSIONS,
                        OptimizerType.GRADIENT_DESCENT,
                        0.1f)) {
            session.writeWeights(WEIGHTS);
            session.exportSavedModel(saved);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        StreamTableEnvironment tableEnv = StreamTableEnvironment.create(env);
        Table table = tableEnv.fromDataStream(env.fromData(ROWS, IdRows.type()));
        Table scored =
                TFModel.fromSavedModel(saved.toString())
                        .setInputCols(BlobData.FEATURES)
                        .setOutputCols("probability")
                        .setOutputTypes(Types.FLOAT)
                        .transform(tableEnv, table);

        assertThat(scored.getResolvedSchema().getColumnNames())
                .containsExactly(
                        "id", "x0", "x1", "x2", "x3", "label", "probability", "model_version");
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = tableEnv.toDataStream(scored).executeAndCollect()) {
            it.forEachRemaining(rows::add);
        }
        assertThat(rows).hasSize(ROWS.size());
        for (Row row : rows) {
            assertThat((Float) row.getField(OUTPUT))
                    .isCloseTo(
                            (float) JavaPredictor.probability(WEIGHTS, IdRows.features(row)),
                            within(1e-6f));
        }
    }
}
