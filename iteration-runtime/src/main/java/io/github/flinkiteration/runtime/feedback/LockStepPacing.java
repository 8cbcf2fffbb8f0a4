package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.runtime.checkpoint.AsyncRawState;
import io.github.flinkiteration.runtime.checkpoint.ItemListState;
import io.github.flinkiteration.runtime.protocol.FeedbackItem;
import io.github.flinkiteration.runtime.protocol.FeedbackItemCodec;
import io.github.flinkiteration.runtime.protocol.FeedbackRecord;
import io.github.flinkiteration.runtime.protocol.RoundFeedback;
import io.github.flinkiteration.runtime.protocol.SerializedFeedback;
import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.replay.SpillingBuffer;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.core.memory.DataOutputViewStreamWrapper;
import org.apache.flink.runtime.state.StatePartitionStreamProvider;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.function.ThrowingConsumer;

/**
 * Bounded iterations: feedback waits at the head until the round it enters starts, so that no
 * operator of the body sees a record of round {@code r + 1} before its own end of round {@code r}.
 *
 * <p>What waits lives in the head's managed memory and spills to files beyond it ({@link
 * HeldRound}, one per round: the round being started and the next, which fills meanwhile). A round
 * goes into the body a slice of whole chunks per call of {@link #emitSlice}. A checkpoint writes
 * what still waits into the head's raw operator state, streamed from the pages and files in Flink's
 * asynchronous checkpoint phase, from a view frozen in the synchronous one.
 */
final class LockStepPacing<T> implements FeedbackPacing {

    /** Version of the raw state this pacing writes, first in each checkpoint. */
    private static final int RAW_STATE_VERSION = 2; // 2: rounds are longs

    /**
     * Records a slice has at least, unless the round ends first: whole chunks are emitted, and a
     * full chunk of small records is many thousands already; feedback handed over record by record
     * comes one per chunk.
     */
    private static final int SLICE_RECORDS = 4096;

    /** Feedback by the round it enters, while that round has not started or is being emitted. */
    private final TreeMap<Long, HeldRound> held = new TreeMap<>();

    /** What {@link #held} holds, kept as it changes, so metrics read two fields. */
    private long heldRecords;

    private long heldBytes;
    private long newestRound = -1;

    /** The round whose feedback goes into the body now, slice by slice; -1 if none. */
    private long emittingRound = -1;

    private final Output<StreamRecord<IterationRecord<T>>> output;

    /** Where the last round's feedback goes when the iteration ends; null to drop it. */
    private final ThrowingConsumer<StreamRecord<IterationRecord<T>>, Exception> finalValues;

    private final TypeSerializer<T> valueSerializer;
    private final SpillingBuffer.Share memory;

    /** Before held rounds were raw state they were this list; read on restore, written empty. */
    private final ItemListState<FeedbackItem> legacyHeldState;

    /** Turns feedback handed over as record objects into chunks. */
    private final SerializedFeedback.Writer<T> recordWriter;

    LockStepPacing(
            Output<StreamRecord<IterationRecord<T>>> output,
            TypeSerializer<IterationRecord<T>> serializer,
            TypeSerializer<T> valueSerializer,
            OperatorStateStore store,
            boolean restored,
            SpillingBuffer.Share memory,
            Iterable<StatePartitionStreamProvider> rawState,
            ThrowingConsumer<StreamRecord<IterationRecord<T>>, Exception> finalValues)
            throws Exception {
        this.output = output;
        this.finalValues = finalValues;
        this.valueSerializer = valueSerializer;
        this.memory = memory;
        this.recordWriter = new SerializedFeedback.Writer<>(valueSerializer);
        this.legacyHeldState =
                ItemListState.register(store, "head-held", new FeedbackItemCodec<>(serializer));
        if (restored) {
            for (FeedbackItem item : legacyHeldState.get()) {
                onFeedback((RoundFeedback) item);
            }
            for (StatePartitionStreamProvider partition : rawState) {
                try (InputStream stream = partition.getStream()) {
                    restore(new DataInputViewStreamWrapper(stream));
                }
            }
        }
    }

    private void restore(DataInputViewStreamWrapper in) throws Exception {
        int version = in.readInt();
        if (version != RAW_STATE_VERSION) {
            throw new IllegalStateException(
                    "Held feedback of version " + version + " cannot be restored here.");
        }
        long emitting = in.readLong();
        if (emitting >= 0) {
            emittingRound = emitting;
        }
        int rounds = in.readInt();
        for (int i = 0; i < rounds; i++) {
            // Restored at a lower parallelism, several old heads' partitions come here; they
            // hold the same round (a rescalable snapshot is taken between two rounds).
            long number = in.readLong();
            HeldRound round = held.get(number);
            if (round == null) {
                round = new HeldRound(number, newBuffer());
                held.put(number, round);
            }
            long records = round.records();
            long bytes = round.serializedBytes();
            round.appendRemaining(in);
            heldRecords += round.records() - records;
            heldBytes += round.serializedBytes() - bytes;
            newestRound = Math.max(newestRound, number);
        }
    }

    /** A buffer for one more round, in the pages of the share that the held rounds leave. */
    private SpillingBuffer<Void> newBuffer() {
        int used = 0;
        for (HeldRound round : held.values()) {
            used += round.pages();
        }
        return memory.bytesBuffer(Math.max(0, memory.pages() - used));
    }

    @Override
    public boolean onFeedback(RoundFeedback feedback) throws Exception {
        HeldRound round = held.get(feedback.round());
        if (round == null) {
            round = new HeldRound(feedback.round(), newBuffer());
            held.put(feedback.round(), round);
        }
        if (feedback instanceof SerializedFeedback chunk) {
            round.add(chunk);
        } else {
            @SuppressWarnings("unchecked")
            FeedbackRecord<T> record = (FeedbackRecord<T>) feedback;
            recordWriter.write(record.get(), record.round());
            round.add(recordWriter.take());
        }
        heldRecords += feedback.count();
        heldBytes += feedback.serializedBytes();
        newestRound = Math.max(newestRound, feedback.round());
        return false;
    }

    @Override
    public long feedbackFor(long round) {
        HeldRound waiting = held.get(round);
        return waiting == null ? 0 : waiting.records();
    }

    @Override
    public void startRound(long round) throws Exception {
        while (emitSlice(round)) {
            // all of it, now
        }
    }

    @Override
    public boolean emitSlice(long round) throws Exception {
        HeldRound waiting = held.get(round);
        if (waiting == null) {
            return false;
        }
        emittingRound = round;
        long records = waiting.records();
        long bytes = waiting.serializedBytes();
        boolean more;
        do {
            more = waiting.emitChunk(valueSerializer, output::collect);
        } while (more && records - waiting.records() < SLICE_RECORDS);
        heldRecords -= records - waiting.records();
        heldBytes -= bytes - waiting.serializedBytes();
        if (!more) {
            held.remove(round).close();
            emittingRound = -1;
        }
        return more;
    }

    @Override
    public long roundBeingEmitted() {
        return emittingRound;
    }

    @Override
    public long heldRecords() {
        return heldRecords;
    }

    @Override
    public long heldBytes() {
        return heldBytes;
    }

    @Override
    public long newestFeedbackRound() {
        return newestRound;
    }

    @Override
    public void end(long lastRound) throws Exception {
        HeldRound last = finalValues == null ? null : held.get(lastRound + 1);
        if (last != null) {
            // All at once: the loop has stopped, nothing waits behind it but the end.
            while (last.emitChunk(valueSerializer, finalValues)) {
                // the rest of the chunks
            }
        }
        closeAll();
        heldRecords = 0;
        heldBytes = 0;
        emittingRound = -1;
    }

    /**
     * Freezes what waits (no bytes copied) and leaves the writing to the checkpoint's asynchronous
     * phase, so the task thread goes on emitting and taking feedback meanwhile.
     */
    @Override
    public void snapshot(StateSnapshotContext context, AsyncRawState rawStateLater)
            throws Exception {
        legacyHeldState.update(List.of());
        long emitting = emittingRound;
        List<HeldRound.Remaining> frozen = new ArrayList<>(held.size());
        try {
            for (HeldRound round : held.values()) {
                frozen.add(round.freezeRemaining());
            }
        } catch (Exception e) {
            frozen.forEach(HeldRound.Remaining::close);
            throw e;
        }
        rawStateLater.defer(
                new AsyncRawState.Writer() {
                    @Override
                    public void writeTo(DataOutputViewStreamWrapper out) throws IOException {
                        out.writeInt(RAW_STATE_VERSION);
                        out.writeLong(emitting);
                        out.writeInt(frozen.size());
                        for (HeldRound.Remaining round : frozen) {
                            round.writeTo(out);
                        }
                    }

                    @Override
                    public void close() {
                        frozen.forEach(HeldRound.Remaining::close);
                    }
                });
    }

    @Override
    public void close() throws Exception {
        closeAll();
    }

    private void closeAll() throws Exception {
        Exception failure = null;
        for (HeldRound round : held.values()) {
            try {
                round.close();
            } catch (Exception e) {
                failure = e;
            }
        }
        held.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
