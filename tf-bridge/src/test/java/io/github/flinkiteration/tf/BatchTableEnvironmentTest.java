package io.github.flinkiteration.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.flinkiteration.tf.estimator.TFModel;
import io.github.flinkiteration.tf.model.LogisticRegressionDefinition;
import io.github.flinkiteration.tf.model.ModelWeights;
import io.github.flinkiteration.tf.params.RemainderPolicy;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code TFEstimator#fit} and {@code TFModel#transform} with a table environment in batch mode
 * ({@link EnvironmentSettings#inBatchMode()}): the training at parallelism 4 equals the plain
 * simulation of data-parallel training, as with a streaming table environment, and every row is
 * scored with the trained weights.
 */
class BatchTableEnvironmentTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TFCluster.extension();

    private static final int PARALLELISM = 4;
    private static final int ROUNDS = 3;

    @Test
    void fitAndTransformInABatchTableEnvironmentEqualThePlainTraining() throws Exception {
        List<Row> rows = BlobData.rows(1_001, 41);
        PlainTfLogisticRegression expected =
                PlainTfLogisticRegression.trainAveraged(
                        rows, PARALLELISM, ROUNDS, 40, 0.2f, RemainderPolicy.PARTIAL);

        for (EnvironmentSettings settings :
                List.of(EnvironmentSettings.inBatchMode(), EnvironmentSettings.inStreamingMode())) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(PARALLELISM);
            StreamTableEnvironment tableEnv = StreamTableEnvironment.create(env, settings);
            String mode = settings.isStreamingMode() ? "streaming" : "batch";
            Table table = tableEnv.fromDataStream(env.fromData(rows, BlobData.rowType()));
            TFModel model =
                    BlobData.logisticRegression()
                            .setBatchSize(40)
                            .setLearningRate(0.2)
                            .setMaxRounds(ROUNDS)
                            .setOutputCols("probability")
                            .setOutputTypes(Types.DOUBLE)
                            .fit(tableEnv, table);
            Table scored = model.transform(tableEnv, table);
            assertThat(env.getConfiguration().get(ExecutionOptions.RUNTIME_MODE))
                    .as("the job's runtime mode, from the table environment's settings")
                    .isEqualTo(
                            settings.isStreamingMode()
                                    ? RuntimeExecutionMode.STREAMING
                                    : RuntimeExecutionMode.BATCH);

            List<ModelWeights> weights = new ArrayList<>();
            List<Row> scoredRows = new ArrayList<>();
            try (CloseableIterator<ModelWeights> finalWeights = model.getWeights().collectAsync();
                    CloseableIterator<Row> out = tableEnv.toDataStream(scored).collectAsync()) {
                env.execute("tf training and scoring, " + mode);
                finalWeights.forEachRemaining(weights::add);
                out.forEachRemaining(scoredRows::add);
            }

            assertThat(weights).as("%s: final weights", mode).hasSize(1);
            ModelWeights actual = weights.get(0);
            float[] w = actual.valuesOf(LogisticRegressionDefinition.WEIGHTS);
            for (int j = 0; j < w.length; j++) {
                assertThat(w[j])
                        .as("%s: weight %d", mode, j)
                        .isCloseTo(expected.weights[j], within(1e-6f));
            }
            assertThat(actual.valuesOf(LogisticRegressionDefinition.BIAS)[0])
                    .as("%s: bias", mode)
                    .isCloseTo(expected.bias, within(1e-6f));

            assertThat(scoredRows).as("%s: scored rows", mode).hasSize(rows.size());
            for (Row row : scoredRows) {
                float[] features = new float[BlobData.DIMENSIONS];
                for (int j = 0; j < features.length; j++) {
                    features[j] = ((Double) row.getField(BlobData.FEATURES[j])).floatValue();
                }
                assertThat((Double) row.getField("probability"))
                        .as("%s: probability of %s", mode, row)
                        .isCloseTo(JavaPredictor.probability(actual, features), within(1e-5));
            }
        }
    }
}
