package io.github.flinkiteration.runtime.protocol;

import io.github.flinkiteration.runtime.record.IterationRecord;
import java.io.IOException;
import java.util.ArrayDeque;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.function.ThrowingConsumer;

/**
 * Feedback records of one round, serialized back to back: what a tail of a lock-step iteration
 * hands its head instead of record objects.
 *
 * <p>A lock-step head holds a whole round's feedback until the round starts. As objects that is a
 * {@code StreamRecord}, an {@code IterationRecord} and the value per record, which the garbage
 * collector copies from region to region for as long as the round lasts; profiled on W3 (500,000
 * records per subtask and round) the collector took more CPU than the loop itself. Serialized, a
 * round is a few arrays of {@value #CHUNK_BYTES} bytes, and the records the head emits die young.
 */
public final class SerializedFeedback implements RoundFeedback {

    /** Below G1's humongous-object size for heaps from 1 GiB, so chunks are ordinary objects. */
    public static final int CHUNK_BYTES = 256 * 1024;

    private static final int MAX_CAPACITY = CHUNK_BYTES + 1024;

    /**
     * Buffers start at {@code MAX_CAPACITY / 2^k}, so that when they grow (doubling) they land on
     * {@code MAX_CAPACITY} exactly instead of past it.
     */
    static final int MIN_CAPACITY = MAX_CAPACITY >> 10;

    private static final byte PLAIN = 0;
    private static final byte WITH_TIMESTAMP = 1;

    /** The round these records enter. */
    private final long round;

    private final byte[] bytes;
    private final int length;
    private final int count;

    /** The writer's buffer that holds {@link #bytes}, to write the next chunk into; or null. */
    private final DataOutputSerializer buffer;

    public SerializedFeedback(long round, byte[] bytes, int length, int count) {
        this(round, bytes, length, count, null);
    }

    private SerializedFeedback(
            long round, byte[] bytes, int length, int count, DataOutputSerializer buffer) {
        this.round = round;
        this.bytes = bytes;
        this.length = length;
        this.count = count;
        this.buffer = buffer;
    }

    @Override
    public long round() {
        return round;
    }

    @Override
    public int count() {
        return count;
    }

    @Override
    public int serializedBytes() {
        return length;
    }

    /** The serialized records: {@link #length()} bytes from the start of the array. */
    public byte[] bytes() {
        return bytes;
    }

    int length() {
        return length;
    }

    /**
     * Rebuilds the records in the order they were written: each value and {@code StreamRecord} a
     * new object, the {@code IterationRecord} envelope one object reused from record to record.
     * Every consumer of a head's records reads the envelope only while it is called (Flink's
     * chaining output copies it, a network output serializes it, a round wrapper unwraps it and
     * copies it to hold it), and an envelope per visit was a quarter of W3's allocations.
     */
    @Override
    public <T> void emit(
            TypeSerializer<T> valueSerializer,
            ThrowingConsumer<StreamRecord<IterationRecord<T>>, Exception> consumer)
            throws Exception {
        emit(valueSerializer, consumer, false);
    }

    /**
     * Like {@link #emit}, with one {@code StreamRecord} reused from record to record too: for a
     * consumer that keeps no record it is handed ({@code ChainedHandoff}), which saves an object
     * per record.
     */
    public <T> void emitIntoOneRecord(
            TypeSerializer<T> valueSerializer,
            ThrowingConsumer<StreamRecord<IterationRecord<T>>, Exception> consumer)
            throws Exception {
        emit(valueSerializer, consumer, true);
    }

    private <T> void emit(
            TypeSerializer<T> valueSerializer,
            ThrowingConsumer<StreamRecord<IterationRecord<T>>, Exception> consumer,
            boolean oneRecord)
            throws Exception {
        DataInputDeserializer in = new DataInputDeserializer(bytes, 0, length);
        IterationRecord<T> envelope = new IterationRecord<>();
        envelope.setRound(round);
        StreamRecord<IterationRecord<T>> shared = oneRecord ? new StreamRecord<>(envelope) : null;
        for (int i = 0; i < count; i++) {
            boolean timestamped = in.readByte() == WITH_TIMESTAMP;
            long timestamp = timestamped ? in.readLong() : 0;
            envelope.setValue(valueSerializer.deserialize(in));
            // A consumer of the shared record may have unwrapped it in place.
            StreamRecord<IterationRecord<T>> record =
                    shared != null ? shared.replace(envelope) : new StreamRecord<>(envelope);
            if (timestamped) {
                record.setTimestamp(timestamp);
            } else {
                record.eraseTimestamp();
            }
            consumer.accept(record);
        }
    }

    @Override
    public void accept(Handler handler) throws Exception {
        handler.onChunk(this);
    }

    /**
     * Buffers of chunks that nobody reads any more (their records were emitted and nothing else
     * refers to them), for writers to write later chunks into: a buffer allocated and zeroed per
     * chunk was a fifth of a free-flowing loop's time (W3). Keeps at most {@value #MAX_BYTES} bytes
     * of buffers.
     */
    public static final class BufferPool {
        static final int MAX_BYTES = 8 << 20;

        private final ArrayDeque<DataOutputSerializer> free = new ArrayDeque<>();
        private long bytes;

        /** Takes back the buffer of {@code chunk}, which nobody may read afterwards. */
        public void giveBack(SerializedFeedback chunk) {
            DataOutputSerializer buffer = chunk.buffer;
            if (buffer == null) {
                return;
            }
            int size = buffer.getSharedBuffer().length;
            if (bytes + size > MAX_BYTES) {
                return;
            }
            buffer.clear();
            free.addLast(buffer);
            bytes += size;
        }

        DataOutputSerializer poll() {
            DataOutputSerializer buffer = free.pollLast();
            if (buffer != null) {
                bytes -= buffer.getSharedBuffer().length;
            }
            return buffer;
        }
    }

    /** Collects the feedback records of a tail into chunks of one round each. */
    public static final class Writer<T> {
        private final TypeSerializer<T> valueSerializer;
        private DataOutputSerializer out;
        private long round = -1;
        private int count;
        // Sized after the last chunk: a round of a few records (W1) would otherwise allocate and
        // zero a whole chunk every round, which profiled as a tenth of such a head's time.
        private int nextCapacity = MIN_CAPACITY;

        /** Where buffers of chunks nobody reads any more wait to be written again; or null. */
        private final BufferPool pool;

        public Writer(TypeSerializer<T> valueSerializer) {
            this(valueSerializer, null);
        }

        /** A writer that takes its buffers from {@code pool} when it has any. */
        public Writer(TypeSerializer<T> valueSerializer, BufferPool pool) {
            this.valueSerializer = valueSerializer;
            this.pool = pool;
        }

        /**
         * Appends {@code record}'s value for round {@code round}; returns a chunk that is complete
         * (full, or of an earlier round), or null.
         */
        public SerializedFeedback write(StreamRecord<IterationRecord<T>> record, long round)
                throws IOException {
            SerializedFeedback complete = null;
            if (count > 0 && round != this.round) {
                complete = take();
            }
            if (out == null) {
                out = pool == null ? null : pool.poll();
                if (out == null) {
                    out = new DataOutputSerializer(nextCapacity);
                }
            }
            this.round = round;
            if (record.hasTimestamp()) {
                out.writeByte(WITH_TIMESTAMP);
                out.writeLong(record.getTimestamp());
            } else {
                out.writeByte(PLAIN);
            }
            valueSerializer.serialize(record.getValue().getValue(), out);
            count++;
            if (complete == null && out.length() >= CHUNK_BYTES) {
                complete = take();
            }
            return complete;
        }

        /** The records written since the last chunk, or null if there are none. */
        public SerializedFeedback take() {
            if (count == 0) {
                return null;
            }
            SerializedFeedback chunk =
                    new SerializedFeedback(round, out.getSharedBuffer(), out.length(), count, out);
            int capacity = MIN_CAPACITY;
            while (capacity < 2 * out.length() && capacity < MAX_CAPACITY) {
                capacity <<= 1;
            }
            nextCapacity = capacity;
            out = null;
            count = 0;
            return chunk;
        }
    }
}
