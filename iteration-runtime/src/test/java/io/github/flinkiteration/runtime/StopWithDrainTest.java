package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.testing.ControlledSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stop-with-savepoint with {@code --drain} ends every source, the iteration's control sources too,
 * in the middle of a round. An iteration refuses it: the heads fail with a message that says what
 * to do instead, so no savepoint is written (Flink reports the stop as failed, "Checkpoint
 * Coordinator is suspending"), and the job fails over like after any failure: a bounded job goes on
 * to the result of a run that was never stopped. (Stop without drain is a savepoint like any other:
 * {@code CheckpointLifecycleTest}.)
 */
// A separate thread: the collect iterator swallows the interrupt of a same-thread timeout.
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StopWithDrainTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    private static final String REFUSAL = "is being stopped with --drain";

    /** Per run: opened once the body has ended a few rounds. */
    private static final Map<String, CountDownLatch> ROUNDS_UNDER_WAY = new ConcurrentHashMap<>();

    @Test
    void aBoundedIterationRefusesToDrainAndStillComputesItsResult(@TempDir Path savepoints)
            throws Exception {
        String run = UUID.randomUUID().toString();
        ROUNDS_UNDER_WAY.put(run, new CountDownLatch(1));
        int rounds = 30;
        StreamExecutionEnvironment env = FailoverTest.checkpointedEnv(2, "hashmap");
        DataStream<Long> result =
                LoopJobs.pacedIncrements(env, rounds, new SignalAfterRounds(run, 3));
        List<Long> out = new ArrayList<>();
        try (CloseableIterator<Long> it = result.collectAsync()) {
            JobClient job = env.executeAsync();
            assertThat(ROUNDS_UNDER_WAY.get(run).await(1, TimeUnit.MINUTES))
                    .as("the body ended round 3")
                    .isTrue();

            assertThatThrownBy(() -> drain(job, savepoints))
                    .as("no savepoint of a loop cut short")
                    .isNotNull();

            it.forEachRemaining(out::add);
        }
        assertThat(out.stream().mapToLong(Long::longValue).sum())
                .isEqualTo(LoopJobs.pacedIncrementsSum(rounds));
    }

    @Test
    void anUnboundedIterationRefusesToDrainSayingWhatToDoInstead(@TempDir Path savepoints)
            throws Exception {
        try (ControlledSource.Gate gate = ControlledSource.newGate()) {
            // Checkpointing on, or the iteration refuses the savepoint before the drain starts
            // (and often, since collect hands out only checkpointed results); no restarts: the
            // refusal ends the job, so its result shows the message.
            StreamExecutionEnvironment env = TestCluster.env(2);
            env.enableCheckpointing(100);
            env.configure(new Configuration().set(RestartStrategyOptions.RESTART_STRATEGY, "none"));
            DataStream<Long> echoed = LoopJobs.echo(env, gate);
            try (CloseableIterator<Long> it = echoed.collectAsync()) {
                JobClient job = env.executeAsync();
                gate.allowBelow(10);
                for (int i = 0; i < 10; i++) {
                    it.next();
                }

                assertThatThrownBy(() -> drain(job, savepoints)).isNotNull();
                assertThatThrownBy(() -> job.getJobExecutionResult().get())
                        .hasStackTraceContaining("head of variable 'x'")
                        .hasStackTraceContaining(REFUSAL)
                        .hasStackTraceContaining("Stop the job without --drain");
            }
        }
    }

    private static String drain(JobClient job, Path savepoints) throws Exception {
        return job.stopWithSavepoint(
                        true, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get();
    }

    /** Opens its run's latch once the body has ended {@code rounds} rounds. */
    private static final class SignalAfterRounds
            implements MapFunction<Long, Long>, IterationListener<Long> {
        private final String run;
        private final int rounds;

        SignalAfterRounds(String run, int rounds) {
            this.run = run;
            this.rounds = rounds;
        }

        @Override
        public Long map(Long value) {
            return value;
        }

        @Override
        public void onRoundEnd(int round, Context context, Collector<Long> collector) {
            if (round + 1 >= rounds) {
                ROUNDS_UNDER_WAY.get(run).countDown();
            }
        }
    }
}
