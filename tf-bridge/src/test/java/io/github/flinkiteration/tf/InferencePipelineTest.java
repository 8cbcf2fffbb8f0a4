package io.github.flinkiteration.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.flinkiteration.tf.estimator.TFEstimator;
import io.github.flinkiteration.tf.estimator.TFModel;
import io.github.flinkiteration.tf.model.LogisticRegressionDefinition;
import io.github.flinkiteration.tf.model.ModelWeights;
import io.github.flinkiteration.tf.model.MultiLayerPerceptronDefinition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A pipeline of two fits and two transforms in one job (fit a logistic regression, score the rows
 * with it, fit an MLP on the scored rows, score them again) predicts exactly what the same four
 * stages give when each runs as its own job, with the weights passed between them by hand.
 */
class InferencePipelineTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TFCluster.extension();

    private static final int PARALLELISM = 2;
    private static final List<Row> DATA = IdRows.of(BlobData.rows(1_000, 51));

    @Test
    void twoFitsAndTwoTransformsInOneJobPredictLikeSeparateJobs() throws Exception {
        Map<Long, Row> together = runAsOneJob();
        Map<Long, Row> separately = runAsSeparateJobs();

        assertThat(together.keySet()).isEqualTo(separately.keySet()).hasSize(DATA.size());
        int p1 = IdRows.TYPE_NAMES.length;
        int version1 = p1 + 1;
        int p2 = p1 + 2;
        int version2 = p1 + 3;
        for (Map.Entry<Long, Row> entry : separately.entrySet()) {
            Row expected = entry.getValue();
            Row actual = together.get(entry.getKey());
            assertThat((Double) actual.getField(p1))
                    .as("stage 1 prediction of row %d", entry.getKey())
                    .isCloseTo((Double) expected.getField(p1), within(1e-6));
            assertThat((Float) actual.getField(p2))
                    .as("stage 2 prediction of row %d", entry.getKey())
                    .isCloseTo((Float) expected.getField(p2), within(1e-6f));
            assertThat(actual.getField(version1)).isEqualTo(0L);
            assertThat(actual.getField(version2)).isEqualTo(0L);
        }
        // The stages did something: the MLP fitted on the scored rows separates the blobs.
        long correct =
                together.values().stream()
                        .filter(r -> ((Float) r.getField(p2) >= 0.5f ? 1 : 0) == IdRows.label(r))
                        .count();
        assertThat((double) correct / DATA.size()).isGreaterThan(0.9);
    }

    private static Map<Long, Row> runAsOneJob() throws Exception {
        StreamExecutionEnvironment env = environment();
        DataStream<Row> rows = env.fromData(DATA, IdRows.type());
        TFModel first = firstEstimator().fit(rows);
        // One scoring subtask keeps the rows in order, so the second fit sees them as the separate
        // job does.
        DataStream<Row> scored = firstOutputs(first).setParallelism(1).transform(rows);
        TFModel second = secondEstimator().fit(scored);
        DataStream<Row> scoredTwice = secondOutputs(second).transform(scored);
        return byId(scoredTwice);
    }

    private static Map<Long, Row> runAsSeparateJobs() throws Exception {
        StreamExecutionEnvironment env1 = environment();
        ModelWeights firstWeights =
                TrainingRun.execute(env1, firstEstimator().fit(env1.fromData(DATA, IdRows.type())))
                        .finalWeights();

        StreamExecutionEnvironment env2 = environment();
        DataStream<Row> scored =
                firstOutputs(TFModel.fromWeights(new LogisticRegressionDefinition(), firstWeights))
                        .setParallelism(1)
                        .transform(env2.fromData(DATA, IdRows.type()));
        TypeInformation<Row> scoredType = scored.getType();
        List<Row> scoredRows = collect(scored);

        StreamExecutionEnvironment env3 = environment();
        ModelWeights secondWeights =
                TrainingRun.execute(
                                env3, secondEstimator().fit(env3.fromData(scoredRows, scoredType)))
                        .finalWeights();

        StreamExecutionEnvironment env4 = environment();
        return byId(
                secondOutputs(TFModel.fromWeights(mlp(), secondWeights))
                        .transform(env4.fromData(scoredRows, scoredType)));
    }

    private static TFEstimator firstEstimator() {
        return BlobData.logisticRegression().setBatchSize(32).setLearningRate(0.2).setMaxRounds(3);
    }

    private static TFEstimator secondEstimator() {
        return new TFEstimator()
                .setInputCols("x0", "x1", "x2", "x3", "p1")
                .setLabelCol(BlobData.LABEL)
                .setModelDefinition(mlp())
                .setBatchSize(32)
                .setLearningRate(0.05)
                .setMaxRounds(3);
    }

    private static MultiLayerPerceptronDefinition mlp() {
        return new MultiLayerPerceptronDefinition(7, 6);
    }

    private static TFModel firstOutputs(TFModel model) {
        return model.setInputCols(BlobData.FEATURES)
                .setOutputCols("p1")
                .setOutputTypes(Types.DOUBLE);
    }

    private static TFModel secondOutputs(TFModel model) {
        return model.setInputCols("x0", "x1", "x2", "x3", "p1")
                .setOutputCols("p2")
                .setOutputTypes(Types.FLOAT)
                .setVersionCol("version2");
    }

    private static StreamExecutionEnvironment environment() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(PARALLELISM);
        return env;
    }

    private static List<Row> collect(DataStream<Row> rows) throws Exception {
        List<Row> collected = new ArrayList<>();
        try (CloseableIterator<Row> it = rows.executeAndCollect()) {
            it.forEachRemaining(collected::add);
        }
        return collected;
    }

    private static Map<Long, Row> byId(DataStream<Row> rows) throws Exception {
        Map<Long, Row> byId = new HashMap<>();
        for (Row row : collect(rows)) {
            assertThat(byId.put((Long) row.getField(0), row)).as("rows scored once").isNull();
        }
        return byId;
    }
}
