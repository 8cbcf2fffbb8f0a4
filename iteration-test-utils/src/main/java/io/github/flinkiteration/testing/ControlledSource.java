package io.github.flinkiteration.testing;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.util.function.SerializableFunction;

/**
 * A source for tests that emits {@code generator(i)} for {@code i = 0, 1, …} (below {@code count},
 * or forever), but only as far as its {@link Gate} allows: a test can hold the input back until it
 * has seen some output, which turns "B happens while input still flows" into an ordering fact
 * rather than a race. Works only on a MiniCluster in the test's own JVM.
 *
 * <pre>{@code
 * try (ControlledSource.Gate gate = ControlledSource.newGate()) {
 *     DataStream<Long> input = env.fromSource(
 *             ControlledSource.bounded(gate, 10_000, i -> i, Types.LONG),
 *             WatermarkStrategy.noWatermarks(), "gated");
 *     ... build the job, collectAsync() its output, env.executeAsync() ...
 *     gate.allowBelow(1_000);          // records 0 … 999 may go
 *     // read the output the first 1,000 records caused, then release more
 *     gate.allowBelow(2_000);
 * }
 * }</pre>
 *
 * <p>Subtask {@code s} of {@code n} emits the indices {@code i} with {@code i % n == s}. Each
 * reader checkpoints the next index it would emit, so a job restored from a checkpoint or a
 * savepoint (at the same parallelism) continues where it stood, without repeating a record.
 */
public final class ControlledSource<T>
        implements Source<T, ControlledSource.Position, Void>, ResultTypeQueryable<T> {

    private static final long serialVersionUID = 1L;

    private static final Map<String, Gate> GATES = new ConcurrentHashMap<>();

    private final String gateId;
    private final long count;
    private final SerializableFunction<Long, T> generator;
    private final TypeInformation<T> type;

    private ControlledSource(
            Gate gate,
            long count,
            SerializableFunction<Long, T> generator,
            TypeInformation<T> type) {
        this.gateId = gate.id;
        this.count = count;
        this.generator = generator;
        this.type = type;
    }

    /** A bounded source of {@code count} records. */
    public static <T> ControlledSource<T> bounded(
            Gate gate,
            long count,
            SerializableFunction<Long, T> generator,
            TypeInformation<T> type) {
        return new ControlledSource<>(gate, count, generator, type);
    }

    /** A source that never ends. */
    public static <T> ControlledSource<T> unbounded(
            Gate gate, SerializableFunction<Long, T> generator, TypeInformation<T> type) {
        return new ControlledSource<>(gate, Long.MAX_VALUE, generator, type);
    }

    /** A new gate, initially letting no record through. Close it when the test is done. */
    public static Gate newGate() {
        Gate gate = new Gate(UUID.randomUUID().toString());
        GATES.put(gate.id, gate);
        return gate;
    }

    @Override
    public Boundedness getBoundedness() {
        return count == Long.MAX_VALUE ? Boundedness.CONTINUOUS_UNBOUNDED : Boundedness.BOUNDED;
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return type;
    }

    @Override
    public SourceReader<T, Position> createReader(SourceReaderContext context) {
        Gate gate = GATES.get(gateId);
        if (gate == null) {
            throw new IllegalStateException("Gate " + gateId + " is closed or in another JVM.");
        }
        return new Reader(gate, context.getIndexOfSubtask(), context.currentParallelism());
    }

    @Override
    public SplitEnumerator<Position, Void> createEnumerator(
            SplitEnumeratorContext<Position> context) {
        return new PositionlessEnumerator();
    }

    @Override
    public SplitEnumerator<Position, Void> restoreEnumerator(
            SplitEnumeratorContext<Position> context, Void checkpoint) {
        return new PositionlessEnumerator();
    }

    @Override
    public SimpleVersionedSerializer<Position> getSplitSerializer() {
        return new PositionSerializer();
    }

    @Override
    public SimpleVersionedSerializer<Void> getEnumeratorCheckpointSerializer() {
        return new EmptySerializer<>(null);
    }

    /** How far the readers of a source may go; shared by the test thread and the readers. */
    public static final class Gate implements AutoCloseable {
        private final String id;
        private long allowed;
        private final List<CompletableFuture<Void>> waiting = new ArrayList<>();

        private Gate(String id) {
            this.id = id;
        }

        /** Lets the records with index below {@code limit} through. */
        public synchronized void allowBelow(long limit) {
            if (limit > allowed) {
                allowed = limit;
                waiting.forEach(f -> f.complete(null));
                waiting.clear();
            }
        }

        /** Lets every record through. */
        public void open() {
            allowBelow(Long.MAX_VALUE);
        }

        synchronized boolean allows(long index) {
            return index < allowed;
        }

        synchronized CompletableFuture<Void> whenAllows(long index) {
            if (index < allowed) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> future = new CompletableFuture<>();
            waiting.add(future);
            return future;
        }

        @Override
        public void close() {
            open();
            GATES.remove(id);
        }
    }

    private final class Reader implements SourceReader<T, Position> {
        private final Gate gate;
        private final int parallelism;
        private long next;

        Reader(Gate gate, int subtask, int parallelism) {
            this.gate = gate;
            this.parallelism = parallelism;
            this.next = subtask;
        }

        @Override
        public void start() {}

        @Override
        public InputStatus pollNext(ReaderOutput<T> output) {
            if (next >= count) {
                return InputStatus.END_OF_INPUT;
            }
            if (!gate.allows(next)) {
                return InputStatus.NOTHING_AVAILABLE;
            }
            output.collect(generator.apply(next));
            next += parallelism;
            return InputStatus.MORE_AVAILABLE;
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return next >= count ? CompletableFuture.completedFuture(null) : gate.whenAllows(next);
        }

        @Override
        public List<Position> snapshotState(long checkpointId) {
            return List.of(new Position(next));
        }

        /** Only on restore: where this reader had got to. */
        @Override
        public void addSplits(List<Position> splits) {
            for (Position position : splits) {
                next = position.next;
            }
        }

        @Override
        public void notifyNoMoreSplits() {}

        @Override
        public void close() {}
    }

    /**
     * A reader's next index. No split is ever assigned (each reader knows its share from its
     * subtask index); the reader checkpoints its position as one, so a restored job goes on where
     * it was, at the same parallelism.
     */
    public static final class Position implements SourceSplit {
        private final long next;

        Position(long next) {
            this.next = next;
        }

        @Override
        public String splitId() {
            return "position";
        }
    }

    private static final class PositionSerializer implements SimpleVersionedSerializer<Position> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Position position) {
            return ByteBuffer.allocate(Long.BYTES).putLong(position.next).array();
        }

        @Override
        public Position deserialize(int version, byte[] serialized) {
            return new Position(ByteBuffer.wrap(serialized).getLong());
        }
    }

    private static final class PositionlessEnumerator implements SplitEnumerator<Position, Void> {
        @Override
        public void start() {}

        @Override
        public void handleSplitRequest(int subtaskId, String requesterHostname) {}

        @Override
        public void addSplitsBack(List<Position> splits, int subtaskId) {}

        @Override
        public void addReader(int subtaskId) {}

        @Override
        public Void snapshotState(long checkpointId) {
            return null;
        }

        @Override
        public void close() {}
    }

    private static final class EmptySerializer<X> implements SimpleVersionedSerializer<X> {
        private final X value;

        EmptySerializer(X value) {
            this.value = value;
        }

        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(X obj) {
            return new byte[0];
        }

        @Override
        public X deserialize(int version, byte[] serialized) {
            return value;
        }
    }
}
