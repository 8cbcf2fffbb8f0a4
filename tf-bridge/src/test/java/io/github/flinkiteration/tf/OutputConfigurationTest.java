package io.github.flinkiteration.tf;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.tf.estimator.TFModel;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Output columns are only for inference: a training runs without them and keeps them if set. */
class OutputConfigurationTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TFCluster.extension();

    @Test
    void aTrainingWithoutOutputConfigurationRuns() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        TFModel model =
                BlobData.logisticRegression()
                        .setMaxRounds(1)
                        .fit(env.fromData(BlobData.rows(200, 1), BlobData.rowType()));
        TrainingRun run = TrainingRun.execute(env, model);

        assertThat(model.getDescription().outputCols()).isEmpty();
        assertThat(run.weights).hasSize(1);
        assertThat(run.losses).hasSize(1);
    }

    @Test
    void configuredOutputsAreKeptForInference() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        TFModel model =
                BlobData.logisticRegression()
                        .setOutputCols("probability")
                        .setOutputTypes(Types.DOUBLE)
                        .fit(env.fromData(BlobData.rows(10, 1), BlobData.rowType()));

        assertThat(model.getDescription().outputCols()).containsExactly("probability");
        assertThat(model.getDescription().outputTypes()).containsExactly(Types.DOUBLE);
        assertThat(model.getDescription().inputCols()).containsExactly(BlobData.FEATURES);
    }
}
