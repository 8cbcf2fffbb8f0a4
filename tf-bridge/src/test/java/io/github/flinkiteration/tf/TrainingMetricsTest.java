package io.github.flinkiteration.tf;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.tf.estimator.TFModel;
import io.github.flinkiteration.tf.model.RoundLoss;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The training's metrics, read through Flink's in-memory reporter after the job: the averager's
 * loss gauge holds the last round's loss of the loss output, its throughput and round time are
 * positive, and the rows counted, by the trainers and by the averager, are the rows × the rounds.
 */
class TrainingMetricsTest {

    /** Keeps the metrics of finished jobs, so they can be read after the job. */
    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
                            .setNumberTaskManagers(2)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final String ITERATION = "blobs";
    private static final int ROWS = 1_003;
    private static final int ROUNDS = 3;
    private static final int TRAINERS = 2;

    @Test
    void theAveragerReportsTheRoundsLossAndTheRowsTrainedAddUp() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(TRAINERS);
        TFModel model =
                BlobData.logisticRegression()
                        .setBatchSize(50)
                        .setMaxRounds(ROUNDS)
                        .setIterationName(ITERATION)
                        .fit(env.fromData(BlobData.rows(ROWS, 5), BlobData.rowType()));
        TrainingRun run = TrainingRun.execute(env, model);
        RoundLoss last = run.losses.get(run.losses.size() - 1);
        assertThat(last.round).isEqualTo(ROUNDS - 1);

        List<Map<String, Metric>> groups = trainingGroups();
        List<Map<String, Metric>> averagers = new ArrayList<>();
        List<Map<String, Metric>> trainers = new ArrayList<>();
        for (Map<String, Metric> metrics : groups) {
            (metrics.containsKey("loss") ? averagers : trainers).add(metrics);
        }
        assertThat(averagers).hasSize(1);
        assertThat(trainers).hasSize(TRAINERS);

        Map<String, Metric> averager = averagers.get(0);
        assertThat(gauge(averager, "round")).isEqualTo((long) last.round);
        assertThat(gauge(averager, "loss")).isEqualTo(last.loss);
        assertThat((Double) gauge(averager, "rowsPerSecond")).isPositive();
        assertThat((Double) gauge(averager, "roundTimeMs")).isPositive();
        // PARTIAL (the default) trains on every row once per round, padding none.
        long expectedRows = (long) ROWS * ROUNDS;
        assertThat(count(averager, "rowsTrained")).isEqualTo(expectedRows);
        long trainerRows = 0;
        for (Map<String, Metric> trainer : trainers) {
            assertThat(count(trainer, "rowsTrained")).isPositive();
            trainerRows += count(trainer, "rowsTrained");
        }
        assertThat(trainerRows).isEqualTo(expectedRows);
    }

    /** The metrics of each operator subtask's {@code iteration=blobs, tf} group. */
    private static List<Map<String, Metric>> trainingGroups() {
        List<Map<String, Metric>> groups = new ArrayList<>();
        for (Map.Entry<MetricGroup, Map<String, Metric>> entry :
                REPORTER.getMetricsByGroup().entrySet()) {
            MetricGroup group = entry.getKey();
            String[] scope = group.getScopeComponents();
            if (ITERATION.equals(group.getAllVariables().get("<iteration>"))
                    && scope[scope.length - 1].equals("tf")) {
                groups.add(entry.getValue());
            }
        }
        return groups;
    }

    private static Object gauge(Map<String, Metric> metrics, String name) {
        assertThat(metrics).containsKey(name);
        return ((Gauge<?>) metrics.get(name)).getValue();
    }

    private static long count(Map<String, Metric> metrics, String name) {
        assertThat(metrics).containsKey(name);
        return ((Counter) metrics.get(name)).getCount();
    }
}
