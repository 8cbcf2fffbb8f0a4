package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.runtime.checkpoint.AsyncRawState;
import io.github.flinkiteration.runtime.checkpoint.SubtaskProgress;
import io.github.flinkiteration.runtime.internal.HandoffOutput;
import io.github.flinkiteration.runtime.protocol.RoundFeedback;
import io.github.flinkiteration.runtime.protocol.SerializedFeedback;
import io.github.flinkiteration.runtime.record.IterationRecord;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.function.ThrowingConsumer;

/**
 * Unbounded iterations, and bounded ones whose body cannot observe a round boundary: feedback goes
 * into the body at once, and is only counted, by the round it enters, until that round is reported.
 * The counts go into the head's checkpoint. Feedback into a round at or past a bounded iteration's
 * round limit is counted but goes nowhere: nothing held it for a round that never starts, so
 * dropping it here is what the lock-step heads do at termination.
 *
 * <p>While an unbounded data input is open its round 0 never ends, so no round is reported and a
 * record going round would leave a count for every round it entered, for as long as the job runs.
 * So exact counts are kept for at most {@value #MAX_COUNTED_ROUNDS} rounds; the feedback of later
 * rounds is lumped together (lowest and highest round, records). That is enough for what a count
 * decides: no constant feeds an unbounded loop and data enters in round 0 only, so a record fed
 * back into round {@code s} means some record was fed back into every round from 1 to {@code s}.
 * When a lumped round is asked for, it reports at least one record (the loop truly went on past
 * it), and the newest lumped round the rest of the lump: the decisions are exact, the counts of
 * lumped rounds only approximate.
 */
final class FreeFlowPacing<T> implements FeedbackPacing {

    /** How many rounds get an exact count of their own; see the class comment. */
    static final int MAX_COUNTED_ROUNDS = 256;

    /** Records by the round they entered, for rounds not yet reported as the next one. */
    private final TreeMap<Long, Long> counts = new TreeMap<>();

    /**
     * Feedback of rounds beyond the counted ones: from {@code lumpFrom} to {@code lumpTo}, {@code
     * lumpRecords} records in all; none if {@code lumpRecords} is 0. Every counted round is lower.
     */
    private long lumpFrom;

    private long lumpTo;
    private long lumpRecords;

    /**
     * Counts not yet set aside, one slot per round modulo {@value #SLOTS}: feedback comes in runs
     * of one round, but in a loop that is not held, runs of the rounds in flight alternate record
     * by record, and setting a count aside costs a map lookup.
     */
    private static final int SLOTS = 64;

    private final long[] slotRounds = new long[SLOTS];
    private final long[] slotRecords = new long[SLOTS];

    /** The highest round feedback entered since this subtask (re)started. */
    private long newestRound = -1;

    /**
     * The head's {@code output::collect}, bound once: bound per record it was 7 % of W3's garbage.
     */
    private final ThrowingConsumer<StreamRecord<IterationRecord<T>>, Exception> emitter;

    /** Where records built anew go: they may skip Flink's copy ({@link HandoffOutput}). */
    private final ThrowingConsumer<StreamRecord<IterationRecord<T>>, Exception> newRecordEmitter;

    private final HandoffOutput<IterationRecord<T>> newRecordOutput;

    private final TypeSerializer<T> valueSerializer;
    private final SubtaskProgress countsState;
    private final SubtaskProgress lumpState;

    /** Where the feedback of the last round goes instead of the body; null to drop it. */
    private final ThrowingConsumer<StreamRecord<IterationRecord<T>>, Exception> finalValues;

    /** The first round no feedback enters (the iteration's {@code maxRounds}); 0 for none. */
    private final int roundLimit;

    /**
     * @param rescaled when restored at another parallelism, the counts this subtask starts with, to
     *     which every old subtask's stored counts are added; null otherwise
     */
    FreeFlowPacing(
            Output<StreamRecord<IterationRecord<T>>> output,
            HandoffOutput<IterationRecord<T>> newRecordOutput,
            TypeSerializer<T> valueSerializer,
            OperatorStateStore store,
            int subtask,
            int parallelism,
            boolean restored,
            RescaledCounts rescaled,
            int roundLimit,
            ThrowingConsumer<StreamRecord<IterationRecord<T>>, Exception> finalValues)
            throws Exception {
        this.finalValues = finalValues;
        this.emitter = output::collect;
        this.newRecordOutput = newRecordOutput;
        this.newRecordEmitter = newRecordOutput::collect;
        this.roundLimit = roundLimit;
        this.valueSerializer = valueSerializer;
        this.countsState = SubtaskProgress.register(store, "head-counts", subtask, parallelism);
        this.lumpState =
                SubtaskProgress.register(store, "head-lumped-counts", subtask, parallelism);
        if (!restored) {
            return;
        }
        SubtaskProgress.Restored stored = countsState.restored();
        SubtaskProgress.Restored lumps = lumpState.restored();
        if (rescaled != null) {
            stored.all().forEach(rescaled::addPairs);
            lumps.all().forEach(rescaled::addLump);
            rescaled.counts().forEach(this::restoreCount);
            restoreLump(rescaled.lump());
        } else {
            long[] own = stored.own();
            for (int i = 0; i + 1 < own.length; i += 2) {
                restoreCount(own[i], own[i + 1]);
            }
            restoreLump(lumps.isEmpty() ? new long[0] : lumps.own());
        }
    }

    private void restoreLump(long[] lump) {
        if (lump.length == 3 && lump[2] > 0) {
            lumpFrom = lump[0];
            lumpTo = lump[1];
            lumpRecords = lump[2];
            newestRound = Math.max(newestRound, lumpTo);
        }
    }

    private void restoreCount(long round, long records) {
        counts.put(round, records);
        newestRound = Math.max(newestRound, round);
    }

    @Override
    public boolean onFeedback(RoundFeedback feedback) throws Exception {
        long round = feedback.round();
        int slot = (int) (round & (SLOTS - 1));
        if (slotRounds[slot] != round) {
            setAsideCount(slotRounds[slot], slotRecords[slot]);
            slotRounds[slot] = round;
            slotRecords[slot] = 0;
            newestRound = Math.max(newestRound, round);
        }
        slotRecords[slot] += feedback.count();
        if (roundLimit > 0 && round >= roundLimit) {
            if (finalValues == null) {
                return false;
            }
            // Fed back in the last round: part of the variable's final value, which leaves now.
            feedback.emit(valueSerializer, finalValues);
            return true;
        }
        if (!(feedback instanceof SerializedFeedback chunk)) {
            // A record handed over as an object may still be held by a checkpoint's log.
            feedback.emit(valueSerializer, emitter);
        } else if (newRecordOutput.handsOver()) {
            chunk.emitIntoOneRecord(valueSerializer, newRecordEmitter);
        } else {
            // Built anew from bytes: nobody else holds these records.
            chunk.emit(valueSerializer, newRecordEmitter);
        }
        return true;
    }

    private void setAsideCounts() {
        for (int slot = 0; slot < SLOTS; slot++) {
            setAsideCount(slotRounds[slot], slotRecords[slot]);
            slotRecords[slot] = 0;
        }
    }

    private void setAsideCount(long round, long records) {
        if (records == 0) {
            return;
        }
        if (lumpRecords > 0 && round >= lumpFrom) {
            lump(round, records);
        } else if (counts.containsKey(round) || counts.size() < MAX_COUNTED_ROUNDS) {
            counts.merge(round, records, Long::sum);
        } else if (round > counts.lastKey()) {
            lump(round, records);
        } else {
            // An earlier round came late: it gets the place of the highest counted one.
            Map.Entry<Long, Long> highest = counts.pollLastEntry();
            lump(highest.getKey(), highest.getValue());
            counts.put(round, records);
        }
    }

    private void lump(long round, long records) {
        lumpFrom = lumpRecords == 0 ? round : Math.min(lumpFrom, round);
        lumpTo = lumpRecords == 0 ? round : Math.max(lumpTo, round);
        lumpRecords += records;
    }

    @Override
    public long feedbackFor(long round) {
        setAsideCounts();
        Long counted = counts.remove(round);
        if (counted != null) {
            return counted;
        }
        if (lumpRecords == 0 || round < lumpFrom) {
            return 0;
        }
        if (round > lumpTo) {
            return 0;
        }
        if (round == lumpTo) {
            long rest = lumpRecords;
            lumpRecords = 0;
            return rest;
        }
        // A round inside the lump: some record was fed back into it (see the class comment).
        lumpFrom = round + 1;
        if (lumpRecords > 1) {
            lumpRecords--;
        }
        return 1;
    }

    @Override
    public void startRound(long round) {
        // Nothing waits: the round's feedback went in as it came.
    }

    @Override
    public long heldRecords() {
        return 0;
    }

    @Override
    public long heldBytes() {
        return 0;
    }

    @Override
    public long newestFeedbackRound() {
        return newestRound;
    }

    @Override
    public void end(long lastRound) {
        counts.clear();
        Arrays.fill(slotRecords, 0);
        lumpRecords = 0;
    }

    @Override
    public void snapshot(StateSnapshotContext context, AsyncRawState rawStateLater)
            throws Exception {
        setAsideCounts();
        long[] stored = new long[counts.size() * 2];
        int i = 0;
        for (Map.Entry<Long, Long> entry : counts.entrySet()) {
            stored[i++] = entry.getKey();
            stored[i++] = entry.getValue();
        }
        countsState.update(stored);
        lumpState.update(
                lumpRecords == 0 ? new long[0] : new long[] {lumpFrom, lumpTo, lumpRecords});
    }
}
