package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.runtime.protocol.SerializedFeedback;
import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.replay.SpillingBuffer;
import java.io.DataInputStream;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.runtime.DataOutputViewStream;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.function.ThrowingConsumer;

/**
 * The feedback of one round that waits at a lock-step head for the round to start: the tail's
 * {@link SerializedFeedback} chunks, each framed as (records, length, bytes), in a {@link
 * SpillingBuffer} that takes pages of the head's managed memory and spills to a local file beyond
 * them. A round of millions of records thus costs the heap nothing while it waits.
 *
 * <p>It goes into the body one chunk at a time ({@link #emitChunk}), so that the head can hand the
 * task thread back between chunks. A checkpoint freezes the chunks not emitted yet ({@link
 * #freezeRemaining}) and writes them from a checkpoint thread. Not thread-safe otherwise: the
 * head's task thread does everything else.
 */
final class HeldRound implements AutoCloseable {

    private static final int COPY_BUFFER = 64 * 1024;

    private final long round;
    private final SpillingBuffer<Void> buffer;
    private final byte[] header = new byte[8];

    private int chunks;
    private long records;
    private long serializedBytes;

    /** Framed bytes appended, and framed bytes of the chunks emitted so far. */
    private long framedBytes;

    private long framedBytesEmitted;
    private int chunksEmitted;
    private long recordsEmitted;
    private long serializedBytesEmitted;

    /** The stream chunks are emitted from, open from the first emitted chunk on. */
    private DataInputStream emitting;

    /** Reused for each chunk emitted: a chunk is rebuilt into records before the next is read. */
    private byte[] chunkBytes = new byte[0];

    HeldRound(long round, SpillingBuffer<Void> buffer) {
        this.round = round;
        this.buffer = buffer;
    }

    long round() {
        return round;
    }

    /** Adds a chunk of feedback records of this round. */
    void add(SerializedFeedback chunk) throws IOException {
        add(chunk.count(), chunk.bytes(), chunk.serializedBytes());
    }

    private void add(int count, byte[] bytes, int length) throws IOException {
        writeInt(header, 0, count);
        writeInt(header, 4, length);
        buffer.appendBytes(header, header.length);
        buffer.appendBytes(bytes, length);
        chunks++;
        records += count;
        serializedBytes += length;
        framedBytes += header.length + length;
    }

    /** Records waiting here, emitted ones not counted. */
    long records() {
        return records - recordsEmitted;
    }

    /** Serialized bytes waiting here, emitted ones not counted. */
    long serializedBytes() {
        return serializedBytes - serializedBytesEmitted;
    }

    /** Pages of managed memory held. */
    int pages() {
        return buffer.pages();
    }

    /** Whether nothing more waits here. */
    boolean isEmitted() {
        return chunksEmitted == chunks;
    }

    /**
     * Emits the next chunk's records into the body, if one is left; returns whether more are left.
     * No chunk may be added once emitting began: the round has started, and its feedback came
     * before.
     */
    <T> boolean emitChunk(
            TypeSerializer<T> valueSerializer,
            ThrowingConsumer<StreamRecord<IterationRecord<T>>, Exception> output)
            throws Exception {
        if (isEmitted()) {
            return false;
        }
        if (emitting == null) {
            buffer.finish();
            emitting = new DataInputStream(buffer.openBytes());
            skipChunks(emitting, chunksEmitted);
        }
        int count = emitting.readInt();
        int length = emitting.readInt();
        if (chunkBytes.length < length) {
            chunkBytes = new byte[length];
        }
        emitting.readFully(chunkBytes, 0, length);
        chunksEmitted++;
        recordsEmitted += count;
        serializedBytesEmitted += length;
        framedBytesEmitted += header.length + length;
        new SerializedFeedback(round, chunkBytes, length, count).emit(valueSerializer, output);
        return !isEmitted();
    }

    /**
     * Writes the chunks not emitted yet: (round, chunks, records, framed bytes, the framed chunks).
     * Streams from the pages and the spill file; the heap holds a small buffer only.
     */
    void writeRemaining(DataOutputView out) throws IOException {
        try (Remaining remaining = freezeRemaining()) {
            remaining.writeTo(out);
        }
    }

    /**
     * The chunks not emitted yet, frozen for a checkpoint that writes them later from another
     * thread: chunks emitted or added meanwhile do not change what it writes, and closing this
     * round leaves the pages and file to the view until the view is closed.
     */
    Remaining freezeRemaining() throws IOException {
        return new Remaining(
                round,
                chunks - chunksEmitted,
                records - recordsEmitted,
                framedBytesEmitted,
                framedBytes - framedBytesEmitted,
                buffer.freeze());
    }

    /** What {@link #writeRemaining} writes, taken at one moment; see {@link #freezeRemaining}. */
    record Remaining(
            long round,
            int chunks,
            long records,
            long fromByte,
            long framedBytes,
            SpillingBuffer<Void>.Frozen bytes)
            implements AutoCloseable {

        void writeTo(DataOutputView out) throws IOException {
            out.writeLong(round);
            out.writeInt(chunks);
            out.writeLong(records);
            out.writeLong(framedBytes);
            bytes.writeTo(new DataOutputViewStream(out), fromByte, framedBytes);
        }

        @Override
        public void close() {
            bytes.close();
        }
    }

    /** Reads what {@link #writeRemaining} wrote into {@code into}, a new round's buffer. */
    static HeldRound read(DataInputView in, SpillingBuffer<Void> into) throws IOException {
        HeldRound held = new HeldRound(in.readLong(), into);
        held.appendRemaining(in);
        return held;
    }

    /**
     * Appends what {@link #writeRemaining} wrote after the round number, for this round: restored
     * at a lower parallelism, one head gets the held rounds of several old heads.
     */
    void appendRemaining(DataInputView in) throws IOException {
        int addedChunks = in.readInt();
        records += in.readLong();
        long remaining = in.readLong();
        chunks += addedChunks;
        framedBytes += remaining;
        serializedBytes += remaining - (long) addedChunks * header.length;
        byte[] copy = new byte[COPY_BUFFER];
        while (remaining > 0) {
            int n = (int) Math.min(copy.length, remaining);
            in.readFully(copy, 0, n);
            buffer.appendBytes(copy, n);
            remaining -= n;
        }
    }

    private static void skipChunks(DataInputStream in, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            in.readInt();
            int length = in.readInt();
            in.skipNBytes(length);
        }
    }

    private static void writeInt(byte[] target, int offset, int value) {
        target[offset] = (byte) (value >>> 24);
        target[offset + 1] = (byte) (value >>> 16);
        target[offset + 2] = (byte) (value >>> 8);
        target[offset + 3] = (byte) value;
    }

    /** Gives the pages back and deletes the spill file. */
    @Override
    public void close() throws IOException {
        try {
            if (emitting != null) {
                emitting.close();
            }
        } finally {
            buffer.close();
        }
    }
}
