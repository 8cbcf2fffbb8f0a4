package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.UnboundedIteration;
import io.github.flinkiteration.testing.ControlledSource;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionJobVertex;
import org.apache.flink.runtime.jobgraph.JobVertexID;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An unbounded loop whose data input stays open never completes round 0, so its head reports no
 * round; yet a record going round a million times (4,000 without {@code -Plarge-tests}) leaves the
 * head's checkpointed state as large as it was a tenth of the way.
 */
class UnboundedBookkeepingTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    /**
     * A million rounds with {@code -Plarge-tests}: a round costs about 2 ms on the shared 2-core
     * machine (a hand-off from the tail to the head's mailbox and back in free flow), so the
     * default run goes 4,000 rounds, still far past the 256 rounds a head counts one by one ({@code
     * FreeFlowPacing}).
     */
    private static final long ROUNDS = Boolean.getBoolean("large-tests") ? 1_000_000 : 4_000;

    private static final long FIRST_LOOK = ROUNDS / 10;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    // A separate thread: the collect iterator swallows the interrupt of a same-thread timeout.
    @Timeout(value = 60, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aRecordGoingRoundForeverKeepsTheHeadsCheckpointFlat(
            String backend, @InjectMiniCluster MiniCluster cluster) throws Exception {
        try (ControlledSource.Gate gate = ControlledSource.newGate()) {
            StreamExecutionEnvironment env = TestCluster.env(2, backend);
            env.enableCheckpointing(50);
            // The gate stays shut: the input is open and silent for the whole run.
            DataStream<Long> events =
                    env.fromSource(
                                    ControlledSource.unbounded(gate, i -> i, Types.LONG),
                                    WatermarkStrategy.noWatermarks(),
                                    "events")
                            .setParallelism(1);
            ResultStreams results =
                    new UnboundedIteration()
                            .bindVariable("tick", env.fromData(0L))
                            .bindData("events", events)
                            .withBody(
                                    (inputs, context) -> {
                                        DataStream<Long> tick = inputs.get("tick");
                                        DataStream<Long> seen = inputs.get("events");
                                        // The feedback path reads the open input: round 0 of
                                        // the tail never ends, so no round is ever reported.
                                        DataStream<Long> all = tick.union(seen);
                                        // At the head's parallelism the loop is one chain, so a
                                        // round costs a hand-off, not a network round trip.
                                        return IterationDeclaration.builder()
                                                .withFeedback(
                                                        "tick",
                                                        all.filter(t -> t < ROUNDS)
                                                                .setParallelism(1)
                                                                .map(t -> t + 1)
                                                                .setParallelism(1))
                                                .withOutput(
                                                        "milestones",
                                                        all.filter(t -> t % FIRST_LOOK == 0)
                                                                .setParallelism(1))
                                                .build();
                                    })
                            .apply();
            DataStream<Long> milestones = results.get("milestones");
            try (CloseableIterator<Long> out = milestones.collectAsync()) {
                JobClient job = env.executeAsync();
                long early = -1;
                long late = -1;
                while (late < 0) {
                    long tick = out.next();
                    if (tick == FIRST_LOOK) {
                        early = headStateAfterNow(cluster, job.getJobID());
                    } else if (tick == ROUNDS) {
                        late = headStateAfterNow(cluster, job.getJobID());
                    }
                }
                job.cancel().get();
                // Without a bound the head kept 16 bytes for each of the later rounds; with it,
                // the two differ at most by the tick, which a checkpoint may find in the channel.
                assertThat(early).as("head state after %d rounds", FIRST_LOOK).isPositive();
                assertThat(late)
                        .as(
                                "head state after %d rounds, against %d after %d",
                                ROUNDS, early, FIRST_LOOK)
                        .isLessThanOrEqualTo(early + 1024);
            }
        }
    }

    /** The head's state size in the first checkpoint completed after now. */
    private static long headStateAfterNow(MiniCluster cluster, JobID job) throws Exception {
        long now = System.currentTimeMillis();
        while (true) {
            AccessExecutionGraph graph = cluster.getExecutionGraph(job).get();
            CompletedCheckpointStats latest =
                    graph.getCheckpointStatsSnapshot().getHistory().getLatestCompletedCheckpoint();
            if (latest != null && latest.getTriggerTimestamp() > now) {
                return latest.getTaskStateStats(headVertex(graph)).getStateSize();
            }
            Thread.sleep(20);
        }
    }

    private static JobVertexID headVertex(AccessExecutionGraph graph) {
        for (AccessExecutionJobVertex vertex : graph.getAllVertices().values()) {
            if (vertex.getName().startsWith("Iteration head")) {
                return vertex.getJobVertexId();
            }
        }
        throw new IllegalStateException("No head in " + graph.getAllVertices().values());
    }
}
