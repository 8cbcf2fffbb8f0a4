package io.github.flinkiteration.runtime.wrapper;

import io.github.flinkiteration.runtime.checkpoint.ItemListState;
import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.replay.SpillingBuffer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.runtime.memory.MemoryManager;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.function.ThrowingConsumer;

/**
 * Records of a later round that a lock-step body operator received before its own end of the
 * current round (an operator that is upstream of no tail can see them when its input channels are
 * skewed), held until that round ends. Up to a limit they wait on the heap; beyond it each round's
 * further records go, in order, to a spill file of that round ({@link SpillingBuffer} without
 * managed memory: a body operator's share of managed memory belongs to the user's operator). A
 * round comes back in the order its records arrived: the heap part first, then the file.
 *
 * <p>Not thread-safe: the task thread does everything. {@link #close()} deletes the files.
 */
final class EarlyRecords implements AutoCloseable {

    private final int heapLimit;
    private final MemoryManager memoryManager;
    private final Path spillDirectory;
    private final String spillPrefix;
    private final Codec codec;

    private final TreeMap<Long, RoundRecords> rounds = new TreeMap<>();
    private final DataOutputSerializer scratch = new DataOutputSerializer(256);
    private int onHeap;

    /**
     * @param heapLimit how many records, of all rounds together, may wait on the heap
     * @param serializers the serializers of the operator's inputs, by input
     */
    EarlyRecords(
            int heapLimit,
            MemoryManager memoryManager,
            Path spillDirectory,
            String spillPrefix,
            List<TypeSerializer<IterationRecord<?>>> serializers) {
        this.heapLimit = heapLimit;
        this.memoryManager = memoryManager;
        this.spillDirectory = spillDirectory;
        this.spillPrefix = spillPrefix;
        this.codec = new Codec(serializers);
    }

    /** Holds {@code record}, received on {@code input}, until its round may be processed. */
    void hold(HeldRecord record) throws IOException {
        long round = record.record.getValue().getRound();
        RoundRecords held = rounds.computeIfAbsent(round, r -> new RoundRecords());
        if (held.spilled == null && onHeap < heapLimit) {
            held.heap.add(record);
            onHeap++;
            return;
        }
        if (held.spilled == null) {
            held.spilled =
                    new SpillingBuffer<>(
                            null, memoryManager, new Object(), 0, spillDirectory, spillPrefix);
        }
        scratch.clear();
        codec.write(record, scratch);
        held.spilled.appendBytes(scratch.getSharedBuffer(), scratch.length());
        held.spilledRecords++;
    }

    /**
     * Takes the records of {@code round} out, in the order they came, and hands each to {@code to}.
     */
    void release(long round, ThrowingConsumer<HeldRecord, Exception> to) throws Exception {
        RoundRecords held = rounds.remove(round);
        if (held == null) {
            return;
        }
        try {
            onHeap -= held.heap.size();
            for (HeldRecord record : held.heap) {
                to.accept(record);
            }
            held.readSpilled(record -> to.accept(record));
        } finally {
            held.close();
        }
    }

    /** Every record held, round by round, for a checkpoint; leaves them held. */
    List<HeldRecord> all() throws Exception {
        List<HeldRecord> all = new ArrayList<>();
        for (RoundRecords held : rounds.values()) {
            all.addAll(held.heap);
            held.readSpilled(all::add);
        }
        return all;
    }

    /** Records held now, on the heap and spilled. */
    long size() {
        long size = 0;
        for (RoundRecords held : rounds.values()) {
            size += held.heap.size() + held.spilledRecords;
        }
        return size;
    }

    /** Spill files open now. */
    List<Path> spillFiles() {
        List<Path> files = new ArrayList<>();
        for (RoundRecords held : rounds.values()) {
            if (held.spilled != null && held.spilled.layout().spillFile() != null) {
                files.add(held.spilled.layout().spillFile());
            }
        }
        return files;
    }

    /** Drops every record held and deletes the spill files. */
    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (Map.Entry<Long, RoundRecords> entry : rounds.entrySet()) {
            try {
                entry.getValue().close();
            } catch (IOException e) {
                failure = e;
            }
        }
        rounds.clear();
        onHeap = 0;
        if (failure != null) {
            throw failure;
        }
    }

    /** One round's records: the first on the heap, the rest, once spilling began, in a file. */
    private final class RoundRecords implements AutoCloseable {
        final List<HeldRecord> heap = new ArrayList<>();
        SpillingBuffer<Void> spilled;
        long spilledRecords;

        void readSpilled(ThrowingConsumer<HeldRecord, Exception> to) throws Exception {
            if (spilled == null) {
                return;
            }
            try (InputStream bytes = spilled.openBytes()) {
                DataInputViewStreamWrapper in = new DataInputViewStreamWrapper(bytes);
                for (long i = 0; i < spilledRecords; i++) {
                    to.accept(codec.read(in));
                }
            }
        }

        @Override
        public void close() throws IOException {
            if (spilled != null) {
                spilled.close();
                spilled = null;
            }
        }
    }

    /** A record that waits, and the input it came on. */
    static final class HeldRecord {
        final int input;
        final StreamRecord<IterationRecord<?>> record;

        HeldRecord(int input, StreamRecord<IterationRecord<?>> record) {
            this.input = input;
            this.record = record;
        }
    }

    /** Writes a held record with the serializer of the input it came from. */
    static final class Codec implements ItemListState.Codec<HeldRecord> {
        private final List<TypeSerializer<IterationRecord<?>>> serializers;

        Codec(List<TypeSerializer<IterationRecord<?>>> serializers) {
            this.serializers = serializers;
        }

        @Override
        public void write(HeldRecord held, DataOutputView out) throws IOException {
            out.writeInt(held.input);
            out.writeBoolean(held.record.hasTimestamp());
            if (held.record.hasTimestamp()) {
                out.writeLong(held.record.getTimestamp());
            }
            serializers.get(held.input).serialize(held.record.getValue(), out);
        }

        @Override
        public HeldRecord read(DataInputView in) throws IOException {
            int input = in.readInt();
            boolean hasTimestamp = in.readBoolean();
            long timestamp = hasTimestamp ? in.readLong() : 0;
            IterationRecord<?> value = serializers.get(input).deserialize(in);
            return new HeldRecord(
                    input,
                    hasTimestamp
                            ? new StreamRecord<>(value, timestamp)
                            : new StreamRecord<>(value));
        }
    }
}
