package io.github.flinkiteration.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A sink without state that hands what it receives to the test, in the MiniCluster's JVM. Unlike
 * {@code collectAsync()}, whose sink gets a random id and keeps state, it lets a job resume from a
 * savepoint without {@code allowNonRestoredState}, and it outlives one job, so the records of a run
 * stopped with a savepoint and of its resumed job add up.
 */
final class RecordingSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;

    private static final Map<String, Queue<Object>> RECEIVED = new ConcurrentHashMap<>();

    private final String run;

    /**
     * @param run the key the records are kept under; one per test run
     */
    RecordingSink(String run) {
        this.run = run;
        RECEIVED.putIfAbsent(run, new ConcurrentLinkedQueue<>());
    }

    /** Everything received under {@code run} so far, by all jobs. */
    @SuppressWarnings("unchecked")
    static <T> List<T> received(String run) {
        return new ArrayList<>(
                (Queue<T>) RECEIVED.getOrDefault(run, new ConcurrentLinkedQueue<>()));
    }

    /** Adds {@code records} under {@code run}, as if this sink had received them. */
    static void add(String run, List<?> records) {
        RECEIVED.computeIfAbsent(run, r -> new ConcurrentLinkedQueue<>()).addAll(records);
    }

    static void forget(String run) {
        RECEIVED.remove(run);
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        Queue<Object> target = RECEIVED.computeIfAbsent(run, r -> new ConcurrentLinkedQueue<>());
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context context) {
                target.add(element);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
