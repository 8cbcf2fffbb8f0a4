package io.github.flinkiteration.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.flinkiteration.tf.model.LogisticRegressionDefinition;
import io.github.flinkiteration.tf.model.ModelWeights;
import io.github.flinkiteration.tf.params.RemainderPolicy;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A Table trains like a stream of rows: at p = 1 it equals the plain TF loop. */
class TableInputTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TFCluster.extension();

    @Test
    void aTableTrainsLikeThePlainLoop() throws Exception {
        List<Row> rows = BlobData.rows(600, 31);
        PlainTfLogisticRegression expected =
                PlainTfLogisticRegression.train(rows, 3, 40, 0.2f, RemainderPolicy.PARTIAL);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        StreamTableEnvironment tableEnv = StreamTableEnvironment.create(env);
        Table table = tableEnv.fromDataStream(env.fromData(rows, BlobData.rowType()));
        TrainingRun run =
                TrainingRun.execute(
                        env,
                        BlobData.logisticRegression()
                                .setBatchSize(40)
                                .setLearningRate(0.2)
                                .setMaxRounds(3)
                                .fit(tableEnv, table));

        ModelWeights actual = run.finalWeights();
        float[] w = actual.valuesOf(LogisticRegressionDefinition.WEIGHTS);
        for (int j = 0; j < w.length; j++) {
            assertThat(w[j]).isCloseTo(expected.weights[j], within(1e-6f));
        }
        assertThat(actual.valuesOf(LogisticRegressionDefinition.BIAS)[0])
                .isCloseTo(expected.bias, within(1e-6f));
    }
}
