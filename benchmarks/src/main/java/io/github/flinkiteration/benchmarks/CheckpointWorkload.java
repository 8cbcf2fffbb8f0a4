package io.github.flinkiteration.benchmarks;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.TerminationCondition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.checkpoint.SubtaskStateStats;
import org.apache.flink.runtime.checkpoint.TaskStateStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionJobVertex;
import org.apache.flink.runtime.executiongraph.ArchivedExecutionGraph;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * {@code ckpt}: what checkpoints cost a loop that holds big state. W3's loop (every record fed back
 * each round, held at the head until its round starts) with a constant of as many records replayed
 * every round, checkpointed every {@code --checkpoint-interval} ms (default 1,000) to a local
 * directory on the hashmap backend. The run reads Flink's checkpoint statistics of its own
 * MiniCluster and reports, over the completed checkpoints, per subtask of the head's and of the
 * replay's task: the synchronous phase (the task thread is stopped), the asynchronous phase and the
 * state size, as medians and maxima. The checksum is the last round's sum plus the constant's.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar ckpt --parallelism 2 --rounds 8 --records 4000000
 * </pre>
 */
final class CheckpointWorkload {

    /** What the sinks add up; the job runs in this JVM. */
    private static final AtomicLong SUM = new AtomicLong();

    private CheckpointWorkload() {}

    static RunResult run(int parallelism, int rounds, long records, long intervalMs)
            throws Exception {
        Path checkpoints = Files.createTempDirectory("flink-iteration-ckpt-benchmark");
        Configuration configuration = new Configuration();
        configuration.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        configuration.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        configuration.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        configuration.set(WebOptions.CHECKPOINTS_HISTORY_SIZE, 10_000);
        configuration.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(256));
        MiniClusterConfiguration cluster =
                new MiniClusterConfiguration.Builder()
                        .setConfiguration(configuration)
                        .setNumTaskManagers(1)
                        .setNumSlotsPerTaskManager(parallelism)
                        .build();
        try (MiniCluster miniCluster = new MiniCluster(cluster)) {
            miniCluster.start();
            StreamExecutionEnvironment env = new StreamExecutionEnvironment(configuration);
            env.setParallelism(parallelism);
            env.enableCheckpointing(intervalMs);
            build(env, rounds, records);
            SUM.set(0);
            long start = System.nanoTime();
            JobID job = miniCluster.submitJob(env.getStreamGraph().getJobGraph()).get().getJobID();
            JobResult result = miniCluster.requestJobResult(job).get();
            long wallMs = (System.nanoTime() - start) / 1_000_000;
            if (!result.isSuccess()) {
                throw new IllegalStateException(
                        "ckpt failed", result.getSerializedThrowable().orElse(null));
            }
            ArchivedExecutionGraph graph = miniCluster.getArchivedExecutionGraph(job).get();
            RunResult run =
                    new RunResult(
                                    "ckpt",
                                    parallelism,
                                    rounds,
                                    wallMs,
                                    result.getNetRuntime(),
                                    (double) SUM.get())
                            .withRecords(records)
                            .with("checkpointIntervalMs", intervalMs);
            report(graph, run);
            return run;
        } finally {
            deleteTree(checkpoints);
        }
    }

    private static void build(StreamExecutionEnvironment env, int rounds, long records) {
        DataStream<Long> initial = env.fromSequence(0, records - 1).map(i -> i * 1000);
        DataStream<Long> constant = env.fromSequence(0, records - 1);
        DataStream<Long> lastRound =
                new BoundedIteration()
                        .bindVariable("values", initial)
                        .bindConstant("constant", constant)
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Long> next =
                                            inputs.<Long>get("values").map(v -> v + 1);
                                    DataStream<Long> constantOnce =
                                            inputs.<Long>get("constant")
                                                    .process(new Workloads.RecordsOfRound<>(0))
                                                    .returns(Types.LONG);
                                    return IterationDeclaration.builder()
                                            .withFeedback("values", next)
                                            .withOutput(
                                                    "result",
                                                    next.process(
                                                                    new Workloads.RecordsOfRound<>(
                                                                            rounds - 1))
                                                            .returns(Types.LONG)
                                                            .union(constantOnce))
                                            .until(TerminationCondition.maxRounds(rounds))
                                            .build();
                                })
                        .apply()
                        .get("result");
        lastRound
                .transform("partial sum", Types.LONG, new Workloads.PartialSum())
                .map(
                        sum -> {
                            SUM.addAndGet(sum);
                            return sum;
                        })
                .sinkTo(new DiscardingSink<>());
    }

    /** Adds the figures of the head's and the replay's tasks over the completed checkpoints. */
    private static void report(ArchivedExecutionGraph graph, RunResult run) {
        List<AbstractCheckpointStats> completed = new ArrayList<>();
        for (AbstractCheckpointStats checkpoint :
                graph.getCheckpointStatsSnapshot().getHistory().getCheckpoints()) {
            if (checkpoint.getStatus() == CheckpointStatsStatus.COMPLETED) {
                completed.add(checkpoint);
            }
        }
        run.with("checkpoints", completed.size());
        for (AccessExecutionJobVertex vertex : graph.getAllVertices().values()) {
            String role =
                    vertex.getName().startsWith("Iteration head")
                            ? "head"
                            : vertex.getName().startsWith("Iteration constant") ? "replay" : null;
            if (role == null) {
                continue;
            }
            List<Long> sync = new ArrayList<>();
            List<Long> async = new ArrayList<>();
            List<Long> size = new ArrayList<>();
            for (AbstractCheckpointStats checkpoint : completed) {
                TaskStateStats task = checkpoint.getTaskStateStats(vertex.getJobVertexId());
                if (task == null) {
                    continue;
                }
                for (SubtaskStateStats subtask : task.getSubtaskStats()) {
                    if (subtask != null) {
                        sync.add(subtask.getSyncCheckpointDuration());
                        async.add(subtask.getAsyncCheckpointDuration());
                        size.add(subtask.getStateSize());
                    }
                }
            }
            run.with(role + "SyncMsMedian", median(sync))
                    .with(role + "SyncMsMax", max(sync))
                    .with(role + "AsyncMsMedian", median(async))
                    .with(role + "AsyncMsMax", max(async))
                    .with(role + "StateBytesMedian", median(size))
                    .with(role + "StateBytesMax", max(size));
        }
    }

    private static double median(List<Long> values) {
        if (values.isEmpty()) {
            return -1;
        }
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(Comparator.naturalOrder());
        return sorted.get(sorted.size() / 2);
    }

    private static double max(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).max().orElse(-1);
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
