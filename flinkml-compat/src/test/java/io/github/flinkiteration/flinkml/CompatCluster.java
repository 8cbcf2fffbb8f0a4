package io.github.flinkiteration.flinkml;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;

/** The MiniCluster of the compatibility tests: 2 TaskManagers with 2 slots each. */
final class CompatCluster {

    private CompatCluster() {}

    static MiniClusterExtension extension() {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setNumberTaskManagers(2)
                        .setNumberSlotsPerTaskManager(2)
                        .build());
    }

    static StreamExecutionEnvironment env(int parallelism) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        return env;
    }

    /** Starts collecting {@code stream}; read it with {@link Collected#list()} after execute. */
    static <T> Collected<T> collectLater(DataStream<T> stream) {
        return new Collected<>(stream.collectAsync());
    }

    /** The records of one stream of a job that has run. */
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
