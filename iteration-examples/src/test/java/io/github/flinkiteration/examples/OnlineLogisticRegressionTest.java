package io.github.flinkiteration.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.flinkiteration.testing.ControlledSource;
import io.github.flinkiteration.testing.Jobs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The online logistic regression emits the same model versions as a plain-Java mini-batch gradient
 * descent, emits them while its input still flows, ends by itself on a bounded input and runs until
 * cancelled on an unbounded one.
 */
class OnlineLogisticRegressionTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = ExamplesCluster.extension();

    private static final int BATCH = 1_000;
    private static final double RATE = 0.5;
    private static final TypeInformation<LabeledPoint> POINT =
            TypeInformation.of(LabeledPoint.class);

    @ParameterizedTest(name = "parallelism {0}")
    @ValueSource(ints = {2, 4})
    void boundedInputEndsTheJobAndEveryVersionEqualsThePlainJavaReference(int parallelism)
            throws Exception {
        int batches = 20;
        StreamExecutionEnvironment env = environment(parallelism);
        // Half a batch more: the incomplete last batch is not trained on.
        DataStream<LabeledPoint> points = LabeledPoints.stream(env, batches * BATCH + BATCH / 2);
        List<ModelVersion> versions = new ArrayList<>();
        try (CloseableIterator<ModelVersion> it = fit(points).executeAndCollect()) {
            it.forEachRemaining(versions::add);
        }
        assertMatchesReference(versions, batches);
    }

    @Test
    // A separate thread: the collect iterator swallows the interrupt of a same-thread timeout.
    @Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void readsTheFirstVersionsOfAnUnboundedStreamAndCancelsCleanly() throws Exception {
        int wanted = 5;
        try (ControlledSource.Gate gate = ControlledSource.newGate()) {
            gate.open();
            StreamExecutionEnvironment env = environment(4);
            // Two source subtasks: examples reach the trainers out of index order.
            DataStream<LabeledPoint> points =
                    env.fromSource(
                                    ControlledSource.unbounded(
                                            gate, LabeledPoints::generate, POINT),
                                    WatermarkStrategy.noWatermarks(),
                                    "endless points")
                            .setParallelism(2);
            List<ModelVersion> versions = new ArrayList<>();
            try (CloseableIterator<ModelVersion> it = fit(points).collectAsync()) {
                JobClient job = env.executeAsync();
                while (versions.size() < wanted) {
                    versions.add(it.next());
                }
                job.cancel().get();
                assertThat(Jobs.awaitTerminalStatus(job)).isEqualTo(JobStatus.CANCELED);
            }
            assertMatchesReference(versions, wanted);
        }
    }

    @Test
    // A separate thread: the collect iterator swallows the interrupt of a same-thread timeout.
    @Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void versionsLeaveWhileTheInputIsStillFlowingWithoutWaitingForFullBuffers() throws Exception {
        int batches = 8;
        long total = (long) batches * BATCH;
        try (ControlledSource.Gate gate = ControlledSource.newGate()) {
            StreamExecutionEnvironment env = environment(2);
            // Buffers leave only when full: versions come out only if the iteration flushes them.
            env.setBufferTimeout(-1);
            DataStream<LabeledPoint> points =
                    env.fromSource(
                                    ControlledSource.bounded(
                                            gate, total, LabeledPoints::generate, POINT),
                                    WatermarkStrategy.noWatermarks(),
                                    "gated points")
                            .setParallelism(1);
            List<ModelVersion> versions = new ArrayList<>();
            List<Long> releasedWhenSeen = new ArrayList<>();
            try (CloseableIterator<ModelVersion> it = fit(points).collectAsync()) {
                env.executeAsync();
                // Release one batch at a time, the next only after the model it made came out.
                long released = BATCH;
                gate.allowBelow(released);
                while (it.hasNext()) {
                    ModelVersion version = it.next();
                    versions.add(version);
                    releasedWhenSeen.add(released);
                    released = Math.min(total, released + BATCH);
                    gate.allowBelow(released);
                }
            }
            assertMatchesReference(versions, batches);
            for (int v = 0; v < batches; v++) {
                // Version v + 1 came out when only v + 1 of the batches had been released.
                assertThat(releasedWhenSeen.get(v)).isEqualTo((v + 1L) * BATCH);
            }
        }
    }

    @Test
    // A separate thread: the collect iterator swallows the interrupt of a same-thread timeout.
    @Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void resumesFromASavepointWithTheModelItHad(@TempDir Path savepoints) throws Exception {
        int before = 5;
        int after = 4;
        long total = (long) (before + after) * BATCH;
        try (ControlledSource.Gate gate = ControlledSource.newGate()) {
            // The first job trains on the first batches only, then stops with a savepoint.
            StreamExecutionEnvironment first = environment(2);
            // Checkpointing on (exactly-once), so that the savepoint aligns its barriers: an
            // iteration refuses a savepoint of a job without it. With checkpointing, the collect
            // sink hands out what a completed checkpoint covers: checkpoint often.
            first.enableCheckpointing(200);
            List<ModelVersion> versions = new ArrayList<>();
            String savepoint;
            try (CloseableIterator<ModelVersion> it =
                    fit(gatedPoints(first, gate, total)).collectAsync()) {
                JobClient job = first.executeAsync();
                gate.allowBelow((long) before * BATCH);
                while (versions.size() < before) {
                    versions.add(it.next());
                }
                savepoint =
                        job.stopWithSavepoint(
                                        false,
                                        savepoints.toUri().toString(),
                                        SavepointFormatType.CANONICAL)
                                .get();
            }
            // The same job resumes from the savepoint and gets the rest of the input.
            Configuration resume = new Configuration();
            resume.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
            // Flink gives every collect sink a new random uid, so its state cannot be claimed;
            // the iteration's operators keep their ids, and the versions below show they resumed.
            resume.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
            StreamExecutionEnvironment second =
                    StreamExecutionEnvironment.getExecutionEnvironment(resume);
            second.setParallelism(2);
            gate.open();
            try (CloseableIterator<ModelVersion> it =
                    fit(gatedPoints(second, gate, total)).collectAsync()) {
                second.executeAsync();
                it.forEachRemaining(versions::add);
            }
            // Versions 1 … before came from the first job, the rest from the resumed one, which
            // started from version `before`, not from the initial model.
            assertMatchesReference(versions, before + after);
        }
    }

    private static DataStream<LabeledPoint> gatedPoints(
            StreamExecutionEnvironment env, ControlledSource.Gate gate, long count) {
        return env.fromSource(
                        ControlledSource.bounded(gate, count, LabeledPoints::generate, POINT),
                        WatermarkStrategy.noWatermarks(),
                        "gated points")
                .setParallelism(2);
    }

    private static StreamExecutionEnvironment environment(int parallelism) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        return env;
    }

    private static DataStream<ModelVersion> fit(DataStream<LabeledPoint> points) {
        return OnlineLogisticRegression.fit(points, LabeledPoints.FEATURES, BATCH, RATE);
    }

    private static void assertMatchesReference(List<ModelVersion> versions, int count) {
        List<double[]> expected = OnlineLogisticRegressionReference.weights(count, BATCH, RATE);
        assertThat(versions).hasSize(count);
        for (int v = 0; v < count; v++) {
            assertThat(versions.get(v).version).isEqualTo(v + 1);
            double[] actual = versions.get(v).weights;
            assertThat(actual).hasSameSizeAs(expected.get(v));
            for (int j = 0; j < actual.length; j++) {
                assertThat(actual[j])
                        .as("weight %d of version %d", j, v + 1)
                        .isCloseTo(expected.get(v)[j], within(1e-9));
            }
        }
    }
}
