package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.TerminationCondition;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.checkpoint.CheckpointStatsCounts;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.GlobalWindows;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * W3's shape with 20 times its records in a JVM of 1 GiB heap (issue 21): every round holds
 * 20,000,000 records, far more than the heap would take as objects, with checkpoints every second
 * to a checkpoint directory. The held rounds live in managed memory and spill files, and are
 * checkpointed from there; the loop reaches the exact sum, and its checkpoints complete.
 *
 * <p>It needs a JVM of its own with a small heap and takes minutes, so it runs only in the {@code
 * small-heap} execution of the {@code large-tests} profile: {@code mvn -Plarge-tests -pl
 * iteration-runtime -am test -Dtest='SmallHeap*' -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "large-tests", matches = "true")
@Timeout(value = 20, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SmallHeapLargeRoundsTest {

    private static final long RECORDS = 20_000_000;
    private static final int ROUNDS = 3;
    private static final long SMALL_HEAP = MemorySize.ofMebiBytes(1024).getBytes();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setConfiguration(managedMemory())
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static Configuration managedMemory() {
        Configuration configuration = new Configuration();
        configuration.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("128m"));
        return configuration;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void roundsOfTwentyMillionRecordsFinishExactlyWithCheckpoints(
            String backend, @TempDir Path checkpoints, @InjectMiniCluster MiniCluster cluster)
            throws Exception {
        // Under surefire's default execution (3 GiB) this proves nothing: skip it there.
        Assumptions.assumeTrue(
                Runtime.getRuntime().maxMemory() <= SMALL_HEAP,
                "needs a heap of at most 1 GiB: the small-heap execution of -Plarge-tests");
        Configuration configuration = new Configuration();
        configuration.set(StateBackendOptions.STATE_BACKEND, backend);
        configuration.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        configuration.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(2);
        env.enableCheckpointing(1000);

        DataStream<Long> initial = env.fromSequence(0, RECORDS - 1).map(i -> i * 1000);
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable("values", initial)
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Long> next =
                                            inputs.<Long>get("values").map(v -> v + 1);
                                    return IterationDeclaration.builder()
                                            .withFeedback("values", next)
                                            .withOutput("values", next)
                                            .until(TerminationCondition.maxRounds(ROUNDS))
                                            .build();
                                })
                        .apply();
        // Every round's output, summed outside the loop: nothing gathers the records on a heap.
        TestCluster.Collected<Long> total =
                TestCluster.collectLater(
                        results.<Long>get("values")
                                .windowAll(GlobalWindows.createWithEndOfStreamTrigger())
                                .reduce(Long::sum));
        JobExecutionResult result = env.execute();
        List<Long> sums = total.list();

        // Round r (1 … ROUNDS) emits i * 1000 + r for every i.
        long expected = 0;
        for (long i = 0; i < RECORDS; i++) {
            for (int round = 1; round <= ROUNDS; round++) {
                expected += i * 1000 + round;
            }
        }
        assertThat(sums).containsExactly(expected);
        CheckpointStatsCounts counts =
                cluster.getExecutionGraph(result.getJobID())
                        .get()
                        .getCheckpointStatsSnapshot()
                        .getCounts();
        assertThat(counts.getNumberOfCompletedCheckpoints())
                .as("checkpoints completed while the rounds ran")
                .isGreaterThanOrEqualTo(2);
    }
}
