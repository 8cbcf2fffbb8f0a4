package io.github.flinkiteration.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.flinkiteration.testing.ControlledSource;
import io.github.flinkiteration.testing.Jobs;
import io.github.flinkiteration.tf.estimator.TFModel;
import io.github.flinkiteration.tf.model.LogisticRegressionDefinition;
import io.github.flinkiteration.tf.model.ModelWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Streaming inference emits each result without waiting for the next row: the source emits one row
 * and then waits until the test has received that row's prediction, so the test would hang (and
 * time out) if a partial mini-batch were held back until more rows came.
 */
class StreamingInferenceTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TFCluster.extension();

    private static final int ROWS = 6;

    @Test
    // A separate thread: the collect iterator swallows the interrupt of a same-thread timeout.
    @Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void eachPredictionArrivesBeforeTheNextRowIsReleased() throws Exception {
        ModelWeights weights = LrWeights.scaled(1);
        List<String> events = new ArrayList<>();
        try (ControlledSource.Gate gate = ControlledSource.newGate()) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(2);
            DataStream<Row> rows =
                    env.fromSource(
                            ControlledSource.unbounded(
                                    gate,
                                    i -> IdRows.withId(i, BlobData.row(i, 61)),
                                    IdRows.type()),
                            WatermarkStrategy.noWatermarks(),
                            "one row at a time");
            DataStream<Row> scored =
                    TFModel.fromWeights(new LogisticRegressionDefinition(), weights)
                            .setInputCols(BlobData.FEATURES)
                            .setOutputCols("probability")
                            .setOutputTypes(Types.DOUBLE)
                            .setBatchSize(64) // never fills here: only the max delay flushes
                            .transform(rows);
            try (CloseableIterator<Row> results = scored.collectAsync()) {
                JobClient job = env.executeAsync("streaming inference");
                for (long i = 0; i < ROWS; i++) {
                    events.add("release " + i);
                    gate.allowBelow(i + 1);
                    Row result = results.next();
                    events.add("result " + result.getField(0));
                    double expected = JavaPredictor.probability(weights, IdRows.features(result));
                    assertThat((Double) result.getField(IdRows.TYPE_NAMES.length))
                            .isCloseTo(expected, within(1e-6));
                    assertThat(result.getField(IdRows.TYPE_NAMES.length + 1)).isEqualTo(0L);
                }
                job.cancel().get();
                assertThat(Jobs.awaitTerminalStatus(job)).isEqualTo(JobStatus.CANCELED);
            }
        }
        List<String> expected = new ArrayList<>();
        for (long i = 0; i < ROWS; i++) {
            expected.add("release " + i);
            expected.add("result " + i);
        }
        assertThat(events).containsExactlyElementsOf(expected);
    }
}
