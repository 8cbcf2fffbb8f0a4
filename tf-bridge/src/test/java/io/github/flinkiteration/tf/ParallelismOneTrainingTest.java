package io.github.flinkiteration.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.flinkiteration.tf.estimator.TFModel;
import io.github.flinkiteration.tf.model.LogisticRegressionDefinition;
import io.github.flinkiteration.tf.model.ModelWeights;
import io.github.flinkiteration.tf.params.OptimizerType;
import io.github.flinkiteration.tf.params.RemainderPolicy;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * At parallelism 1 with gradient descent, the estimator trains exactly like a plain TF Java loop
 * over the same mini-batches: same final weights (to 1e-6) and same per-round losses. The data size
 * (1,003 rows, batches of 50) leaves a remainder of 3 rows, so each remainder policy is checked
 * against the reference's own handling of it.
 */
class ParallelismOneTrainingTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TFCluster.extension();

    private static final int ROWS = 1_003;
    private static final int BATCH = 50;
    private static final int ROUNDS = 4;
    private static final float LEARNING_RATE = 0.3f;

    @ParameterizedTest(name = "{0}")
    @EnumSource(RemainderPolicy.class)
    void trainingEqualsAPlainTfLoopOverTheSameMiniBatches(RemainderPolicy policy) throws Exception {
        List<Row> rows = BlobData.rows(ROWS, 11);
        PlainTfLogisticRegression expected =
                PlainTfLogisticRegression.train(rows, ROUNDS, BATCH, LEARNING_RATE, policy);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        TFModel model =
                BlobData.logisticRegression()
                        .setOptimizer(OptimizerType.GRADIENT_DESCENT)
                        .setLearningRate(LEARNING_RATE)
                        .setBatchSize(BATCH)
                        .setRemainderPolicy(policy)
                        .setMaxRounds(ROUNDS)
                        .fit(env.fromData(rows, BlobData.rowType()));
        TrainingRun run = TrainingRun.execute(env, model);

        ModelWeights actual = run.finalWeights();
        float[] w = actual.valuesOf(LogisticRegressionDefinition.WEIGHTS);
        for (int j = 0; j < w.length; j++) {
            assertThat(w[j]).as("weight %d", j).isCloseTo(expected.weights[j], within(1e-6f));
        }
        assertThat(actual.valuesOf(LogisticRegressionDefinition.BIAS)[0])
                .isCloseTo(expected.bias, within(1e-6f));
        assertThat(run.losses).hasSize(ROUNDS);
        for (int r = 0; r < ROUNDS; r++) {
            assertThat(run.losses.get(r).round).isEqualTo(r);
            assertThat(run.losses.get(r).loss)
                    .as("loss of round %d", r)
                    .isCloseTo(expected.roundLosses.get(r), within(1e-6));
            assertThat(run.losses.get(r).rows).isEqualTo(expected.roundRows.get(r));
        }
    }
}
