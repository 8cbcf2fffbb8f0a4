package io.github.flinkiteration.runtime.protocol;

import io.github.flinkiteration.runtime.record.IterationRecord;
import java.io.IOException;
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

    public SerializedFeedback(long round, byte[] bytes, int length, int count) {
        this.round = round;
        this.bytes = bytes;
        this.length = length;
        this.count = count;
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
        DataInputDeserializer in = new DataInputDeserializer(bytes, 0, length);
        IterationRecord<T> record = new IterationRecord<>();
        record.setRound(round);
        for (int i = 0; i < count; i++) {
            boolean timestamped = in.readByte() == WITH_TIMESTAMP;
            long timestamp = timestamped ? in.readLong() : 0;
            record.setValue(valueSerializer.deserialize(in));
            consumer.accept(
                    timestamped
                            ? new StreamRecord<>(record, timestamp)
                            : new StreamRecord<>(record));
        }
    }

    @Override
    public void accept(Handler handler) throws Exception {
        handler.onChunk(this);
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

        public Writer(TypeSerializer<T> valueSerializer) {
            this.valueSerializer = valueSerializer;
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
                out = new DataOutputSerializer(nextCapacity);
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
                    new SerializedFeedback(round, out.getSharedBuffer(), out.length(), count);
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
