package io.github.flinkiteration.tf;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.tf.estimator.TFModel;
import io.github.flinkiteration.tf.estimator.TFOnlineEstimator;
import io.github.flinkiteration.tf.model.ModelVersion;
import io.github.flinkiteration.tf.model.MultiLayerPerceptronDefinition;
import io.github.flinkiteration.tf.params.OptimizerType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An online training ({@code TFOnlineEstimator}) at parallelism 2 fails mid-stream, after a
 * checkpoint that holds at least one emitted version completed: a map on the versions throws once.
 * It resumes from that checkpoint (the trainers' waiting rows and pending version, the averager's
 * pending steps) and emits, after the versions of the checkpoint, exactly the versions of a run
 * without checkpoints or failure: the same numbers and bit-for-bit the same weights (gradient
 * descent, rows from one source subtask in a fixed order). On the hashmap and RocksDB backends.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OnlineFailoverTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TFCluster.extension();

    private static final int PARALLELISM = 2;
    private static final int BATCH = 16;

    /** The failure comes with this version or a later one, once a checkpoint holds a version. */
    private static final long FAIL_FROM_VERSION = 40;

    private static final List<Row> ROWS = BlobData.rows(8_000, 61);
    private static final long VERSIONS = ROWS.size() / PARALLELISM / BATCH;

    private static List<ModelVersion> referenceVersions;

    private static synchronized List<ModelVersion> reference() throws Exception {
        if (referenceVersions == null) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(PARALLELISM);
            List<ModelVersion> versions = new ArrayList<>();
            try (CloseableIterator<ModelVersion> it = fit(env).getVersions().executeAndCollect()) {
                it.forEachRemaining(versions::add);
            }
            assertThat(versions).as("versions of the reference run").hasSize((int) VERSIONS);
            referenceVersions = versions;
        }
        return referenceVersions;
    }

    private static TFModel fit(StreamExecutionEnvironment env) {
        return new TFOnlineEstimator()
                .setInputCols(BlobData.FEATURES)
                .setLabelCol(BlobData.LABEL)
                .setModelDefinition(new MultiLayerPerceptronDefinition(3, 6))
                .setOptimizer(OptimizerType.GRADIENT_DESCENT)
                .setBatchSize(BATCH)
                .setLearningRate(0.05)
                .fit(env.fromData(ROWS, BlobData.rowType()).setParallelism(1));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void aFailedOnlineTrainingResumesFromItsLastCheckpointWithTheSameVersions(String backend)
            throws Exception {
        List<ModelVersion> reference = reference();
        String runId = FailureRun.start();
        StreamExecutionEnvironment env = checkpointedEnv(backend);
        List<ModelVersion> versions = new ArrayList<>();
        try (CloseableIterator<ModelVersion> it =
                fit(env).getVersions()
                        .map(new FailOnceAfterCheckpoint(runId))
                        .returns(TypeInformation.of(ModelVersion.class))
                        .setParallelism(1)
                        .name("fail once")
                        .collectAsync()) {
            env.execute("tf online failover on " + backend);
            it.forEachRemaining(versions::add);
        }
        FailureRun run = FailureRun.get(runId);
        System.out.printf(
                "%s: failed at version %d, restored a checkpoint holding versions 1-%d%n",
                backend, run.failedAtVersion, run.restoredLastVersion);

        assertThat(run.failedAtVersion)
                .as("the injected failure happened")
                .isGreaterThanOrEqualTo(FAIL_FROM_VERSION);
        assertThat(run.restoredLastVersion)
                .as("the job restored a checkpoint that holds versions (not the start)")
                .isGreaterThanOrEqualTo(1)
                .isLessThan(run.failedAtVersion);
        List<Long> afterRestore = new ArrayList<>();
        for (long v = run.restoredLastVersion + 1; v <= VERSIONS; v++) {
            afterRestore.add(v);
        }
        assertThat(run.versionsSeen(1))
                .as("after the restore the training goes on at the version after the checkpoint's")
                .isEqualTo(afterRestore);

        assertThat(versions).as("versions collected (exactly once)").hasSize(reference.size());
        for (int i = 0; i < reference.size(); i++) {
            ModelVersion want = reference.get(i);
            ModelVersion got = versions.get(i);
            assertThat(got.version).isEqualTo(want.version);
            assertThat(got.weights.hasLayoutOf(want.weights)).isTrue();
            for (int v = 0; v < want.weights.size(); v++) {
                assertThat(got.weights.values[v])
                        .as("variable %s of version %d", want.weights.names[v], want.version)
                        .containsExactly(want.weights.values[v]);
            }
        }
    }

    private static StreamExecutionEnvironment checkpointedEnv(String backend) {
        Configuration config = new Configuration();
        config.set(StateBackendOptions.STATE_BACKEND, backend);
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        // One restart: the injected failure. Any other failure fails the test.
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1);
        config.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(PARALLELISM);
        env.enableCheckpointing(50);
        return env;
    }

    /** What one failing run saw, kept in this JVM (the MiniCluster runs in the test's JVM). */
    private static final class FailureRun {
        private static final Map<String, FailureRun> RUNS = new ConcurrentHashMap<>();

        final AtomicBoolean failed = new AtomicBoolean();
        volatile long completedCheckpointVersion = 0;
        volatile long failedAtVersion = -1;
        volatile long restoredLastVersion = -1;

        /** (attempt, version) of each version, in the order the map saw them. */
        final List<long[]> seen = new CopyOnWriteArrayList<>();

        static String start() {
            String id = UUID.randomUUID().toString();
            RUNS.put(id, new FailureRun());
            return id;
        }

        static FailureRun get(String id) {
            return RUNS.get(id);
        }

        List<Long> versionsSeen(int attempt) {
            List<Long> versions = new ArrayList<>();
            for (long[] s : seen) {
                if (s[0] == attempt) {
                    versions.add(s[1]);
                }
            }
            return versions;
        }
    }

    /**
     * Passes the versions on and fails the job once: at version {@link #FAIL_FROM_VERSION} or
     * later, once a checkpoint completed whose snapshot of this map had seen a version. Keeps the
     * last version it saw in operator state, so after the restore it knows what the checkpoint
     * held.
     */
    private static final class FailOnceAfterCheckpoint
            extends RichMapFunction<ModelVersion, ModelVersion>
            implements CheckpointedFunction, CheckpointListener {

        private final String runId;
        private transient long lastVersion;
        private transient ListState<Long> lastVersionState;
        private transient ConcurrentSkipListMap<Long, Long> snapshots;

        FailOnceAfterCheckpoint(String runId) {
            this.runId = runId;
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            snapshots = new ConcurrentSkipListMap<>();
            lastVersionState =
                    context.getOperatorStateStore()
                            .getListState(new ListStateDescriptor<>("last-version", Types.LONG));
            lastVersion = 0;
            if (context.isRestored()) {
                for (Long version : lastVersionState.get()) {
                    lastVersion = version;
                }
                FailureRun.get(runId).restoredLastVersion = lastVersion;
            }
        }

        @Override
        public ModelVersion map(ModelVersion version) {
            FailureRun run = FailureRun.get(runId);
            int attempt = getRuntimeContext().getTaskInfo().getAttemptNumber();
            run.seen.add(new long[] {attempt, version.version});
            if (version.version >= FAIL_FROM_VERSION
                    && run.completedCheckpointVersion >= 1
                    && run.failed.compareAndSet(false, true)) {
                run.failedAtVersion = version.version;
                throw new IllegalStateException("injected failure at version " + version.version);
            }
            lastVersion = version.version;
            return version;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {
            try {
                lastVersionState.update(List.of(lastVersion));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            snapshots.put(context.getCheckpointId(), lastVersion);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            Long version = snapshots.get(checkpointId);
            snapshots.headMap(checkpointId, true).clear();
            if (version != null) {
                FailureRun run = FailureRun.get(runId);
                run.completedCheckpointVersion = Math.max(run.completedCheckpointVersion, version);
            }
        }
    }
}
