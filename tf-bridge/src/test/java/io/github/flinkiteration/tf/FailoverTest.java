package io.github.flinkiteration.tf;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.tf.estimator.TFEstimator;
import io.github.flinkiteration.tf.estimator.TFModel;
import io.github.flinkiteration.tf.model.LogisticRegressionDefinition;
import io.github.flinkiteration.tf.model.ModelWeights;
import io.github.flinkiteration.tf.model.RoundLoss;
import io.github.flinkiteration.tf.params.OptimizerType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A training that fails in the middle resumes from its last checkpoint (not from round 0) and ends
 * with the same weights as a run without failure (gradient descent, fixed row order).
 */
class FailoverTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TFCluster.extension();

    private static final int ROUNDS = 30;
    private static final int FAIL_AT_ROUND = 20;
    private static final List<Row> ROWS = BlobData.rows(4_000, 51);

    /** (attempt, round) of every loss the failing map saw, across restarts. */
    private static final List<int[]> SEEN = new CopyOnWriteArrayList<>();

    @Test
    @Disabled("needs checkpoints through the loop, issue 6")
    void aFailedTrainingResumesFromTheLastCheckpointWithTheSameResult() throws Exception {
        ModelWeights expected = run(false);
        SEEN.clear();
        ModelWeights recovered = run(true);

        assertThat(recovered.hasLayoutOf(expected)).isTrue();
        for (int v = 0; v < expected.size(); v++) {
            assertThat(recovered.values[v])
                    .as(expected.names[v])
                    .containsExactly(expected.values[v]);
        }
        int firstRoundAfterRestart =
                SEEN.stream().filter(s -> s[0] == 1).mapToInt(s -> s[1]).min().orElseThrow();
        assertThat(firstRoundAfterRestart)
                .as("the restarted training resumes after round 0")
                .isGreaterThan(0);
    }

    private static ModelWeights run(boolean fail) throws Exception {
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1);
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ZERO);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(2);
        if (fail) {
            env.enableCheckpointing(100);
        }
        TFModel model =
                new TFEstimator()
                        .setInputCols(BlobData.FEATURES)
                        .setLabelCol(BlobData.LABEL)
                        .setModelDefinition(new LogisticRegressionDefinition())
                        .setOptimizer(OptimizerType.GRADIENT_DESCENT)
                        .setBatchSize(16)
                        .setMaxRounds(ROUNDS)
                        .fit(env.fromData(ROWS, BlobData.rowType()));
        if (fail) {
            model.getLosses().map(new FailOnceAtRound()).name("fail once").collectAsync();
        }
        List<ModelWeights> weights = new ArrayList<>();
        try (CloseableIterator<ModelWeights> collected = model.getWeights().collectAsync()) {
            env.execute("tf failover");
            collected.forEachRemaining(weights::add);
        }
        assertThat(weights).hasSize(1);
        return weights.get(0);
    }

    /** Fails in its first attempt when the loss of {@link #FAIL_AT_ROUND} passes. */
    private static final class FailOnceAtRound extends RichMapFunction<RoundLoss, RoundLoss> {
        @Override
        public RoundLoss map(RoundLoss loss) {
            int attempt = getRuntimeContext().getTaskInfo().getAttemptNumber();
            SEEN.add(new int[] {attempt, loss.round});
            if (attempt == 0 && loss.round == FAIL_AT_ROUND) {
                throw new IllegalStateException("injected failure at round " + loss.round);
            }
            return loss;
        }
    }
}
