package io.github.flinkiteration.flinkml;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.flinkml.common.datastream.EndOfStreamWindows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A body with both life cycles, and one configured PER_ROUND, each failing once in the middle of a
 * round: all-round keyed state keeps growing over the epochs while per-round operators ({@code
 * forEachRound}, or all of them) start every epoch afresh; after the restore from a checkpoint they
 * give what a run without failure gives, on the hashmap and the RocksDB state backend.
 */
class MixedLifeCycleFailoverCompatTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = CompatCluster.extension();

    private static final List<Integer> INITIAL = List.of(0, 3, 5, 10, 2, 7, 1, 4);
    private static final int MIN_EPOCHS = 30;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void bothLifeCyclesRecoverToTheFailureFreeResult(String backend) throws Exception {
        String runId = FailoverCompatTest.FailOnceAfterCheckpoint.newRun();
        StreamExecutionEnvironment env = failoverEnv(backend);
        DataStreamList outputs =
                Iterations.iterateBoundedStreamsUntilTermination(
                        DataStreamList.of(env.fromData(INITIAL)),
                        ReplayableDataStreamList.notReplay(),
                        IterationConfig.newBuilder()
                                .setOperatorLifeCycle(IterationConfig.OperatorLifeCycle.ALL_ROUND)
                                .build(),
                        (variables, data) -> {
                            DataStream<Integer> values = variables.get(0);
                            DataStream<Integer> next =
                                    values.map(
                                                    new FailoverCompatTest.FailOnceAfterCheckpoint(
                                                            runId))
                                            .map(v -> v + 1);
                            DataStream<Tuple2<Integer, Integer>> keyed =
                                    values.map(
                                            v -> Tuple2.of(v % 3, v),
                                            Types.TUPLE(Types.INT, Types.INT));
                            // All-round: a running sum per key over every epoch.
                            DataStream<Tuple2<Integer, Integer>> runningSums =
                                    keyed.keyBy(t -> t.f0)
                                            .reduce(MixedLifeCycleFailoverCompatTest::add);
                            // Per-round: one sum per key and epoch, from fresh state each epoch.
                            DataStream<Tuple2<Integer, Integer>> epochSums =
                                    IterationBody.forEachRound(
                                                    DataStreamList.of(keyed),
                                                    in -> DataStreamList.of(sumPerKey(in.get(0))))
                                            .get(0);
                            return new IterationBodyResult(
                                    DataStreamList.of(next),
                                    DataStreamList.of(runningSums, epochSums),
                                    next.flatMap(new UntilFailedAndEpochs(runId, MIN_EPOCHS)));
                        });
        CompatCluster.Collected<Tuple2<Integer, Integer>> running =
                CompatCluster.collectLater(outputs.get(0));
        CompatCluster.Collected<Tuple2<Integer, Integer>> perEpoch =
                CompatCluster.collectLater(outputs.get(1));
        env.execute();
        List<Tuple2<Integer, Integer>> runningSeen = running.list();
        List<Tuple2<Integer, Integer>> perEpochSeen = perEpoch.list();

        assertThat(FailoverCompatTest.FailOnceAfterCheckpoint.failed(runId))
                .as("the failure happened")
                .isTrue();
        // The loop ran E epochs, E >= MIN_EPOCHS (it goes on until the failure happened): every
        // epoch ends with one sum for each of the three keys.
        int epochs = perEpochSeen.size() / 3;
        assertThat(epochs).isGreaterThanOrEqualTo(MIN_EPOCHS);
        // Reference: epoch r holds v + r for every initial v. The running sums see epochs 0 … E
        // (the last feedback enters before the end), one output per value; the per-round sums
        // exist for the epochs that ended, 0 … E - 1.
        Map<Integer, Integer> totals = new HashMap<>();
        List<Tuple2<Integer, Integer>> expectedPerEpoch = new ArrayList<>();
        for (int epoch = 0; epoch <= epochs; epoch++) {
            Map<Integer, Integer> sums = new HashMap<>();
            for (int v : INITIAL) {
                int value = v + epoch;
                sums.merge(value % 3, value, Integer::sum);
                totals.merge(value % 3, value, Integer::sum);
            }
            if (epoch < epochs) {
                sums.forEach((key, sum) -> expectedPerEpoch.add(Tuple2.of(key, sum)));
            }
        }
        assertThat(perEpochSeen).containsExactlyInAnyOrderElementsOf(expectedPerEpoch);
        assertThat(runningSeen).hasSize(INITIAL.size() * (epochs + 1));
        Map<Integer, Integer> finalRunning = new HashMap<>();
        for (Tuple2<Integer, Integer> sum : runningSeen) {
            finalRunning.merge(sum.f0, sum.f1, Math::max);
        }
        assertThat(finalRunning).isEqualTo(totals);
    }

    // A body configured PER_ROUND: every operator, the failing one included, is per-round.
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void aPerRoundBodyRecoversToTheFailureFreeResult(String backend) throws Exception {
        String runId = FailoverCompatTest.FailOnceAfterCheckpoint.newRun();
        StreamExecutionEnvironment env = failoverEnv(backend);
        DataStreamList outputs =
                Iterations.iterateBoundedStreamsUntilTermination(
                        DataStreamList.of(env.fromData(INITIAL)),
                        ReplayableDataStreamList.notReplay(),
                        IterationConfig.newBuilder()
                                .setOperatorLifeCycle(IterationConfig.OperatorLifeCycle.PER_ROUND)
                                .build(),
                        (variables, data) -> {
                            DataStream<Integer> values = variables.get(0);
                            DataStream<Integer> next =
                                    values.map(
                                                    new FailoverCompatTest.FailOnceAfterCheckpoint(
                                                            runId))
                                            .map(v -> v + 1);
                            DataStream<Tuple2<Integer, Integer>> keyed =
                                    values.map(
                                            v -> Tuple2.of(v % 3, v),
                                            Types.TUPLE(Types.INT, Types.INT));
                            return new IterationBodyResult(
                                    DataStreamList.of(next),
                                    DataStreamList.of(sumPerKey(keyed)),
                                    next.flatMap(new UntilFailedAndEpochs(runId, MIN_EPOCHS)));
                        });
        List<Tuple2<Integer, Integer>> perEpochSeen = new ArrayList<>();
        outputs.<Tuple2<Integer, Integer>>get(0)
                .executeAndCollect()
                .forEachRemaining(perEpochSeen::add);

        assertThat(FailoverCompatTest.FailOnceAfterCheckpoint.failed(runId))
                .as("the failure happened")
                .isTrue();
        int epochs = perEpochSeen.size() / 3;
        assertThat(epochs).isGreaterThanOrEqualTo(MIN_EPOCHS);
        // Reference: one sum per key for each epoch that ended, from v + r of epoch r.
        List<Tuple2<Integer, Integer>> expected = new ArrayList<>();
        for (int epoch = 0; epoch < epochs; epoch++) {
            Map<Integer, Integer> sums = new HashMap<>();
            for (int v : INITIAL) {
                sums.merge((v + epoch) % 3, v + epoch, Integer::sum);
            }
            sums.forEach((key, sum) -> expected.add(Tuple2.of(key, sum)));
        }
        assertThat(perEpochSeen).containsExactlyInAnyOrderElementsOf(expected);
    }

    /** Checkpoints every 100 ms on {@code backend}, three restarts. */
    private static StreamExecutionEnvironment failoverEnv(String backend) {
        Configuration configuration = new Configuration();
        configuration.set(StateBackendOptions.STATE_BACKEND, backend);
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        configuration.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(4);
        env.enableCheckpointing(100);
        return env;
    }

    /**
     * Criteria: goes on until {@code minEpochs} epochs ran and the injected failure happened, so
     * the run cannot end before a checkpoint completed, however slow checkpoints are.
     */
    static class UntilFailedAndEpochs
            implements FlatMapFunction<Integer, Integer>, IterationListener<Integer> {
        private final String runId;
        private final int minEpochs;

        UntilFailedAndEpochs(String runId, int minEpochs) {
            this.runId = runId;
            this.minEpochs = minEpochs;
        }

        @Override
        public void flatMap(Integer value, Collector<Integer> out) {}

        @Override
        public void onEpochWatermarkIncremented(
                int epochWatermark, Context context, Collector<Integer> collector) {
            if (epochWatermark + 1 < minEpochs
                    || !FailoverCompatTest.FailOnceAfterCheckpoint.failed(runId)) {
                collector.collect(0);
            }
        }

        @Override
        public void onIterationTerminated(Context context, Collector<Integer> collector) {}
    }

    /** One sum per key when the input ends: inside forEachRound, per key and epoch. */
    private static DataStream<Tuple2<Integer, Integer>> sumPerKey(
            DataStream<Tuple2<Integer, Integer>> keyed) {
        return keyed.keyBy(t -> t.f0)
                .window(EndOfStreamWindows.get())
                .reduce(MixedLifeCycleFailoverCompatTest::add);
    }

    private static Tuple2<Integer, Integer> add(
            Tuple2<Integer, Integer> a, Tuple2<Integer, Integer> b) {
        return Tuple2.of(a.f0, a.f1 + b.f1);
    }
}
