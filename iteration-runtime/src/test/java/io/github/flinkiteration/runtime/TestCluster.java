package io.github.flinkiteration.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;

/** The MiniCluster every integration test runs on: 2 TaskManagers with 2 slots each. */
final class TestCluster {

    private TestCluster() {}

    static MiniClusterExtension extension() {
        return extension(new Configuration());
    }

    /** The cluster with {@code configuration}, e.g. a metric reporter's. */
    static MiniClusterExtension extension(Configuration configuration) {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setConfiguration(configuration)
                        .setNumberTaskManagers(2)
                        .setNumberSlotsPerTaskManager(2)
                        .build());
    }

    static StreamExecutionEnvironment env(int parallelism) {
        return env(parallelism, "hashmap");
    }

    /** An environment using the given state backend ("hashmap" or "rocksdb"). */
    static StreamExecutionEnvironment env(int parallelism, String stateBackend) {
        Configuration configuration = new Configuration();
        configuration.set(StateBackendOptions.STATE_BACKEND, stateBackend);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(parallelism);
        return env;
    }

    /**
     * Turns checkpointing on (exactly-once) at an interval no test reaches, so that the savepoints
     * of {@code env}'s job align their barriers: an iteration refuses a savepoint of a job without
     * checkpointing, which Flink takes at-least-once.
     */
    static StreamExecutionEnvironment withAlignedSavepoints(StreamExecutionEnvironment env) {
        env.enableCheckpointing(Duration.ofHours(1).toMillis());
        return env;
    }

    /** Runs the job of {@code stream} and returns everything it emitted. */
    static <T> List<T> collect(DataStream<T> stream) throws Exception {
        List<T> result = new ArrayList<>();
        try (CloseableIterator<T> it = stream.executeAndCollect()) {
            it.forEachRemaining(result::add);
        }
        return result;
    }

    /** Collects several streams of one job: call {@link Collected#list()} after execute. */
    static <T> Collected<T> collectLater(DataStream<T> stream) {
        return new Collected<>(stream.collectAsync());
    }

    static final class Collected<T> {
        private final CloseableIterator<T> iterator;

        private Collected(CloseableIterator<T> iterator) {
            this.iterator = iterator;
        }

        List<T> list() throws Exception {
            List<T> result = new ArrayList<>();
            iterator.forEachRemaining(result::add);
            iterator.close();
            return result;
        }
    }
}
