package io.github.flinkiteration.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.flinkiteration.testing.ControlledSource;
import io.github.flinkiteration.testing.Jobs;
import io.github.flinkiteration.tf.estimator.TFModel;
import io.github.flinkiteration.tf.model.LogisticRegressionDefinition;
import io.github.flinkiteration.tf.model.ModelVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rows that wait for a model's first version survive a failure: they are in the checkpoint the job
 * restarts from (the source does not emit them again), and once the first version comes each of
 * them is scored exactly once.
 */
class ScoringFailoverTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TFCluster.extension();

    private static final int WAITING = 20;

    /** Per subtask of the pass-through map: rows seen as of its latest completed checkpoint. */
    private static final Map<Integer, Long> ROWS_IN_COMPLETED_CHECKPOINT =
            new ConcurrentHashMap<>();

    private static final AtomicBoolean FAIL_NEXT_ROW = new AtomicBoolean();

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void rowsWaitingForTheFirstVersionAreRestoredAndScoredOnce() throws Exception {
        ROWS_IN_COMPLETED_CHECKPOINT.clear();
        FAIL_NEXT_ROW.set(false);
        List<Row> scored = new ArrayList<>();
        try (ControlledSource.Gate rowGate = ControlledSource.newGate();
                ControlledSource.Gate versionGate = ControlledSource.newGate()) {
            Configuration config = new Configuration();
            config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1);
            config.set(
                    RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
                    Duration.ofMillis(100));
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(config);
            env.setParallelism(2);
            env.enableCheckpointing(50);
            DataStream<Row> rows =
                    env.fromSource(
                                    ControlledSource.unbounded(
                                            rowGate,
                                            i -> IdRows.withId(i, BlobData.row(i, 95)),
                                            IdRows.type()),
                                    WatermarkStrategy.noWatermarks(),
                                    "rows")
                            .map(new FailOnDemand())
                            .returns(IdRows.type());
            DataStream<ModelVersion> versions = LrWeights.gatedVersions(env, versionGate);
            DataStream<Row> scoredRows =
                    TFModel.fromVersions(new LogisticRegressionDefinition(), versions)
                            .setInputCols(BlobData.FEATURES)
                            .setOutputCols("probability")
                            .setOutputTypes(Types.DOUBLE)
                            .transform(rows);
            try (CloseableIterator<Row> results = scoredRows.collectAsync()) {
                JobClient job = env.executeAsync("scoring failover");
                rowGate.allowBelow(WAITING);
                // Wait until a completed checkpoint holds all waiting rows (10 per subtask).
                while (ROWS_IN_COMPLETED_CHECKPOINT.size() < 2
                        || ROWS_IN_COMPLETED_CHECKPOINT.values().stream()
                                .anyMatch(n -> n < WAITING / 2)) {
                    Thread.sleep(10);
                }
                FAIL_NEXT_ROW.set(true);
                rowGate.allowBelow(WAITING + 1); // this row fails the job once
                versionGate.allowBelow(1);
                while (scored.size() < WAITING + 1) {
                    scored.add(results.next());
                }
                job.cancel().get();
                assertThat(Jobs.awaitTerminalStatus(job)).isEqualTo(JobStatus.CANCELED);
            }
        }
        assertThat(FAIL_NEXT_ROW).as("the job failed once").isFalse();
        Map<Long, Row> byId = new HashMap<>();
        for (Row row : scored) {
            assertThat(byId.put((Long) row.getField(0), row)).as("scored once").isNull();
        }
        assertThat(byId.keySet()).hasSize(WAITING + 1).allMatch(id -> id >= 0 && id <= WAITING);
        for (Row row : scored) {
            assertThat(row.getField(IdRows.TYPE_NAMES.length + 1)).isEqualTo(1L);
            assertThat((Double) row.getField(IdRows.TYPE_NAMES.length))
                    .isCloseTo(
                            JavaPredictor.probability(LrWeights.scaled(1), IdRows.features(row)),
                            within(1e-6));
        }
    }

    /**
     * Passes rows through; reports how many rows each completed checkpoint covers, and fails the
     * job on the first row after the test asks for it.
     */
    private static final class FailOnDemand extends RichMapFunction<Row, Row>
            implements CheckpointedFunction, CheckpointListener {
        private transient long seen;
        private transient Map<Long, Long> seenAtCheckpoint;

        @Override
        public Row map(Row row) {
            if (FAIL_NEXT_ROW.compareAndSet(true, false)) {
                throw new IllegalStateException("failure asked for by the test");
            }
            seen++;
            return row;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {
            seenAtCheckpoint.put(context.getCheckpointId(), seen);
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {
            seenAtCheckpoint = new HashMap<>();
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            Long covered = seenAtCheckpoint.remove(checkpointId);
            if (covered != null) {
                ROWS_IN_COMPLETED_CHECKPOINT.put(
                        getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), covered);
            }
        }
    }
}
