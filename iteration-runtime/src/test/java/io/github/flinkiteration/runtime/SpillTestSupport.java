package io.github.flinkiteration.runtime;

import io.github.flinkiteration.api.SpillOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

/**
 * What the spilling tests share: a MiniCluster with little managed memory whose spill files go to a
 * directory of the test's, a count of the files there, and records whose sums show a lost, repeated
 * or swapped one.
 */
final class SpillTestSupport {

    private SpillTestSupport() {}

    /**
     * Parallelism 2, exactly-once checkpoints every {@code intervalMs} to a directory (spilled
     * state is far above the JobManager's in-memory limit), and one quick restart.
     */
    static StreamExecutionEnvironment checkpointedToDirectory(
            String backend, Path checkpoints, long intervalMs) {
        Configuration configuration = new Configuration();
        configuration.set(StateBackendOptions.STATE_BACKEND, backend);
        configuration.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        configuration.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
        configuration.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(2);
        env.enableCheckpointing(intervalMs);
        return env;
    }

    /** Two TaskManagers of two slots each, configured by {@code configuration}. */
    static MiniClusterExtension spillingCluster(Configuration configuration) {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setNumberTaskManagers(2)
                        .setNumberSlotsPerTaskManager(2)
                        .setConfiguration(configuration)
                        .build());
    }

    /** Managed memory per TaskManager, and spill files in {@code spillDirectory}. */
    static Configuration managedMemoryAndSpillDirectory(int managedMebiBytes, Path spillDirectory) {
        Configuration configuration = new Configuration();
        configuration.set(
                TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(managedMebiBytes));
        configuration.set(SpillOptions.SPILL_DIRECTORIES, List.of(spillDirectory.toString()));
        return configuration;
    }

    /** The number of files in {@code directory} whose names start with {@code prefix}. */
    static long filesIn(Path directory, String prefix) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(file -> file.getFileName().toString().startsWith(prefix)).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long filesIn(Path directory) {
        return filesIn(directory, "");
    }

    /** Record i of the tests' data: (i, i mod 1000, 7i), 24 bytes serialized. */
    static SingleOutputStreamOperator<Tuple3<Long, Long, Long>> threeFields(
            DataStream<Long> indices) {
        return indices.map(i -> Tuple3.of(i, i % 1000, 7 * i))
                .returns(Types.TUPLE(Types.LONG, Types.LONG, Types.LONG));
    }

    /** Weighs the fields differently, so that a swapped or repeated record shows in a sum. */
    static long checksum(Tuple3<Long, Long, Long> record) {
        return record.f0 * 31 + record.f1 + record.f2;
    }

    /** The sum of {@link #checksum} over records 0 … count − 1, computed without Flink. */
    static long expectedChecksum(long count) {
        long sum = 0;
        for (long i = 0; i < count; i++) {
            sum += checksum(Tuple3.of(i, i % 1000, 7 * i));
        }
        return sum;
    }
}
