package io.github.flinkiteration.flinkml;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.flinkml.common.iteration.TerminateOnMaxIter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** After a failure and a restore from a checkpoint, the criteria stream still ends on time. */
class FailoverCompatTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = CompatCluster.extension();

    @Test
    void terminateOnMaxIterHoldsAcrossAFailover() throws Exception {
        int maxIter = 60;
        String runId = FailOnceAfterCheckpoint.newRun();
        Configuration configuration = new Configuration();
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        configuration.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(4);
        env.enableCheckpointing(100);
        DataStreamList outputs =
                Iterations.iterateBoundedStreamsUntilTermination(
                        DataStreamList.of(env.fromData(0, 1, 2, 3, 4, 5, 6, 7)),
                        ReplayableDataStreamList.notReplay(),
                        IterationConfig.newBuilder().build(),
                        (variables, data) -> {
                            DataStream<Integer> values = variables.get(0);
                            DataStream<Integer> next =
                                    values.map(new FailOnceAfterCheckpoint(runId)).map(v -> v + 1);
                            return new IterationBodyResult(
                                    DataStreamList.of(next),
                                    DataStreamList.of(
                                            values.transform(
                                                    "epochs", Types.INT, new EpochOperator())),
                                    next.flatMap(new TerminateOnMaxIter<>(maxIter)));
                        });
        List<Integer> epochs = new ArrayList<>();
        outputs.<Integer>get(0).executeAndCollect().forEachRemaining(epochs::add);

        assertThat(FailOnceAfterCheckpoint.failed(runId)).as("the failure happened").isTrue();
        List<Integer> expected = new ArrayList<>();
        for (int epoch = 0; epoch < maxIter; epoch++) {
            for (int subtask = 0; subtask < 4; subtask++) {
                expected.add(epoch);
            }
        }
        assertThat(epochs).containsExactlyInAnyOrderElementsOf(expected);
    }

    /**
     * Passes values on, slowly, and fails the job once, at the first value after a checkpoint
     * completed. What happened is kept per run in this JVM (the MiniCluster runs in it).
     */
    static class FailOnceAfterCheckpoint
            implements MapFunction<Integer, Integer>, CheckpointListener {

        private static final Map<String, AtomicBoolean> FAILED = new ConcurrentHashMap<>();
        private static final Map<String, AtomicBoolean> CHECKPOINTED = new ConcurrentHashMap<>();

        private final String runId;

        FailOnceAfterCheckpoint(String runId) {
            this.runId = runId;
        }

        static String newRun() {
            String id = UUID.randomUUID().toString();
            FAILED.put(id, new AtomicBoolean());
            CHECKPOINTED.put(id, new AtomicBoolean());
            return id;
        }

        static boolean failed(String runId) {
            return FAILED.get(runId).get();
        }

        @Override
        public Integer map(Integer value) throws Exception {
            // Slow enough that checkpoints complete while rounds are running.
            Thread.sleep(5);
            if (CHECKPOINTED.get(runId).get() && FAILED.get(runId).compareAndSet(false, true)) {
                throw new IllegalStateException("Injected failure");
            }
            return value;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            CHECKPOINTED.get(runId).set(true);
        }
    }
}
