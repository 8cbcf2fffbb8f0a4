package io.github.flinkiteration.tf;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.tf.estimator.TFEstimator;
import io.github.flinkiteration.tf.estimator.TFModel;
import io.github.flinkiteration.tf.model.ModelWeights;
import io.github.flinkiteration.tf.model.RoundLoss;
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
 * A checkpointed training at parallelism 2 fails in the middle, after a checkpoint that holds at
 * least one finished round completed: a map on the loss stream throws when a round's loss passes,
 * while the trainers train the next round. It resumes from that checkpoint, not from round 0, and
 * ends with exactly the weights and per-round losses of a run without checkpoints or failure
 * (gradient descent, fixed row order). On the hashmap and the RocksDB state backend.
 *
 * <p>Each trainer gets 20,000 rows, several of the replay's slices of 4,096 rows, and a round takes
 * a few checkpoint intervals; so checkpoints fall inside rounds, where the trainers hold weights,
 * partial sums and a partly filled batch (4,096 is not a multiple of the batch size). Where exactly
 * they fall is up to the scheduler; {@code TrainingStateRestoreTest} restores the trainer and the
 * averager from chosen points of a round.
 */
// A separate thread: the collect iterator swallows the interrupt of a same-thread timeout. A
// recovery that loses a round would leave the job waiting forever.
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FailoverTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TFCluster.extension();

    private static final int PARALLELISM = 2;
    private static final int ROUNDS = 10;

    /**
     * The failure comes with the first loss of this round or later, once a checkpoint completed
     * that holds round 0's loss.
     */
    private static final int FAIL_FROM_ROUND = 4;

    private static final List<Row> ROWS = BlobData.rows(40_000, 51);

    private static TrainingRun referenceRun;

    /**
     * The run without checkpoints or failure, trained once for both backends. Not in
     * {@code @BeforeAll}: the MiniCluster extension provides its environment to test methods only.
     */
    private static synchronized TrainingRun reference() throws Exception {
        if (referenceRun == null) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(PARALLELISM);
            TrainingRun run =
                    TrainingRun.execute(
                            env, estimator().fit(env.fromData(ROWS, BlobData.rowType())));
            assertThat(run.losses).as("rounds of the reference run").hasSize(ROUNDS);
            referenceRun = run;
        }
        return referenceRun;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void aFailedTrainingResumesFromItsLastCheckpointWithTheSameResult(String backend)
            throws Exception {
        TrainingRun reference = reference();
        String runId = FailureRun.start();
        StreamExecutionEnvironment env = checkpointedEnv(backend);
        TFModel model = estimator().fit(env.fromData(ROWS, BlobData.rowType()));
        List<ModelWeights> weights = new ArrayList<>();
        List<RoundLoss> losses = new ArrayList<>();
        try (CloseableIterator<ModelWeights> collectedWeights = model.getWeights().collectAsync();
                CloseableIterator<RoundLoss> collectedLosses =
                        model.getLosses()
                                .map(new FailOnceAfterCheckpoint(runId))
                                .setParallelism(1)
                                .name("fail once")
                                .collectAsync()) {
            env.execute("tf failover on " + backend);
            collectedWeights.forEachRemaining(weights::add);
            collectedLosses.forEachRemaining(losses::add);
        }
        FailureRun run = FailureRun.get(runId);
        System.out.printf(
                "%s: failed at round %d, restored a checkpoint holding rounds 0-%d, rounds after"
                        + " the restore %s%n",
                backend, run.failedAtRound, run.restoredLastRound, run.roundsSeen(1));

        assertThat(run.failedAtRound)
                .as("the injected failure happened")
                .isGreaterThanOrEqualTo(FAIL_FROM_ROUND);
        assertThat(run.restoredLastRound)
                .as("the job restored a checkpoint that holds round 0 and more (not round 0)")
                .isGreaterThanOrEqualTo(0)
                .isLessThan(run.failedAtRound);
        List<Integer> roundsAfterRestore = new ArrayList<>();
        for (int r = run.restoredLastRound + 1; r < ROUNDS; r++) {
            roundsAfterRestore.add(r);
        }
        assertThat(run.roundsSeen(1))
                .as("after the restore the training goes on at the round after the checkpoint's")
                .isEqualTo(roundsAfterRestore);

        assertThat(weights).as("final weights records").hasSize(1);
        ModelWeights expected = reference.finalWeights();
        ModelWeights recovered = weights.get(0);
        assertThat(recovered.hasLayoutOf(expected)).isTrue();
        for (int v = 0; v < expected.size(); v++) {
            assertThat(recovered.values[v])
                    .as("variable %s", expected.names[v])
                    .containsExactly(expected.values[v]);
        }
        losses.sort((a, b) -> Integer.compare(a.round, b.round));
        assertThat(losses).as("one loss per round, none lost or repeated").hasSize(ROUNDS);
        for (int r = 0; r < ROUNDS; r++) {
            RoundLoss want = reference.losses.get(r);
            RoundLoss got = losses.get(r);
            assertThat(got.round).isEqualTo(want.round);
            assertThat(got.loss).as("loss of round %d", r).isEqualTo(want.loss);
            assertThat(got.rows).as("rows of round %d", r).isEqualTo(want.rows);
        }
    }

    private static TFEstimator estimator() {
        return BlobData.logisticRegression()
                .setOptimizer(OptimizerType.GRADIENT_DESCENT)
                .setBatchSize(24)
                .setLearningRate(0.1)
                .setMaxRounds(ROUNDS);
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
        env.enableCheckpointing(100);
        return env;
    }

    /** What one failing run saw, kept in this JVM (the MiniCluster runs in the test's JVM). */
    private static final class FailureRun {
        private static final Map<String, FailureRun> RUNS = new ConcurrentHashMap<>();

        final AtomicBoolean failed = new AtomicBoolean();

        /** The last round seen before the latest completed checkpoint's snapshot, −1 if none. */
        volatile int completedCheckpointRound = -1;

        volatile int failedAtRound = -1;
        volatile int restoredLastRound = Integer.MIN_VALUE;

        /** (attempt, round) of each loss, in the order the map saw them. */
        final List<int[]> seen = new CopyOnWriteArrayList<>();

        static String start() {
            String id = UUID.randomUUID().toString();
            RUNS.put(id, new FailureRun());
            return id;
        }

        static FailureRun get(String id) {
            return RUNS.get(id);
        }

        List<Integer> roundsSeen(int attempt) {
            List<Integer> rounds = new ArrayList<>();
            for (int[] s : seen) {
                if (s[0] == attempt) {
                    rounds.add(s[1]);
                }
            }
            return rounds;
        }
    }

    /**
     * Passes the losses on and fails the job once: at the first loss of round {@link
     * #FAIL_FROM_ROUND} or later, once a checkpoint completed whose snapshot of this map had seen
     * at least round 0's loss. Keeps the last round it saw in operator state, so after the restore
     * it knows which round the restored checkpoint holds.
     */
    private static final class FailOnceAfterCheckpoint extends RichMapFunction<RoundLoss, RoundLoss>
            implements CheckpointedFunction, CheckpointListener {

        private final String runId;
        private transient int lastRound;
        private transient ListState<Integer> lastRoundState;
        private transient ConcurrentSkipListMap<Long, Integer> snapshots;

        FailOnceAfterCheckpoint(String runId) {
            this.runId = runId;
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            snapshots = new ConcurrentSkipListMap<>();
            lastRoundState =
                    context.getOperatorStateStore()
                            .getListState(new ListStateDescriptor<>("last-round", Types.INT));
            lastRound = -1;
            if (context.isRestored()) {
                for (Integer round : lastRoundState.get()) {
                    lastRound = round;
                }
                FailureRun.get(runId).restoredLastRound = lastRound;
            }
        }

        @Override
        public RoundLoss map(RoundLoss loss) {
            FailureRun run = FailureRun.get(runId);
            int attempt = getRuntimeContext().getTaskInfo().getAttemptNumber();
            run.seen.add(new int[] {attempt, loss.round});
            if (loss.round >= FAIL_FROM_ROUND
                    && run.completedCheckpointRound >= 0
                    && run.failed.compareAndSet(false, true)) {
                run.failedAtRound = loss.round;
                throw new IllegalStateException("injected failure at round " + loss.round);
            }
            lastRound = loss.round;
            return loss;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            lastRoundState.update(List.of(lastRound));
            snapshots.put(context.getCheckpointId(), lastRound);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            Integer round = snapshots.get(checkpointId);
            snapshots.headMap(checkpointId, true).clear();
            if (round != null) {
                FailureRun run = FailureRun.get(runId);
                run.completedCheckpointRound = Math.max(run.completedCheckpointRound, round);
            }
        }
    }
}
