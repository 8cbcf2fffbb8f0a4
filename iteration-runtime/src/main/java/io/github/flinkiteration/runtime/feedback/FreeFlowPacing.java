package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.runtime.checkpoint.SubtaskProgress;
import io.github.flinkiteration.runtime.protocol.RoundFeedback;
import io.github.flinkiteration.runtime.record.IterationRecord;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Unbounded iterations: feedback goes into the body at once, and is only counted, by the round it
 * enters, until that round is reported. The counts go into the head's checkpoint.
 */
final class FreeFlowPacing<T> implements FeedbackPacing {

    /** Records by the round they entered, for rounds not yet reported as the next one. */
    private final TreeMap<Integer, Long> counts = new TreeMap<>();

    /**
     * The round being counted right now is kept aside: feedback mostly comes in runs of one round.
     */
    private int countingRound = -1;

    private long countingRecords;

    /** The highest round feedback entered since this subtask (re)started. */
    private int newestRound = -1;

    private final Output<StreamRecord<IterationRecord<T>>> output;
    private final TypeSerializer<T> valueSerializer;
    private final SubtaskProgress countsState;

    /**
     * @param rescaled when restored at another parallelism, the counts this subtask starts with, to
     *     which every old subtask's stored counts are added; null otherwise
     */
    FreeFlowPacing(
            Output<StreamRecord<IterationRecord<T>>> output,
            TypeSerializer<T> valueSerializer,
            OperatorStateStore store,
            int subtask,
            int parallelism,
            boolean restored,
            RescaledCounts rescaled)
            throws Exception {
        this.output = output;
        this.valueSerializer = valueSerializer;
        this.countsState = SubtaskProgress.register(store, "head-counts", subtask, parallelism);
        if (!restored) {
            return;
        }
        SubtaskProgress.Restored stored = countsState.restored();
        if (rescaled != null) {
            stored.all().forEach(rescaled::addPairs);
            rescaled.counts().forEach(this::restoreCount);
        } else {
            long[] own = stored.own();
            for (int i = 0; i + 1 < own.length; i += 2) {
                restoreCount((int) own[i], own[i + 1]);
            }
        }
    }

    private void restoreCount(int round, long records) {
        counts.put(round, records);
        newestRound = Math.max(newestRound, round);
    }

    @Override
    public boolean onFeedback(RoundFeedback feedback) throws Exception {
        if (feedback.round() != countingRound) {
            setAsideCount();
            countingRound = feedback.round();
            newestRound = Math.max(newestRound, countingRound);
        }
        countingRecords += feedback.count();
        feedback.emit(valueSerializer, output::collect);
        return true;
    }

    private void setAsideCount() {
        if (countingRecords > 0) {
            counts.merge(countingRound, countingRecords, Long::sum);
            countingRecords = 0;
        }
    }

    @Override
    public long feedbackFor(int round) {
        setAsideCount();
        Long counted = counts.remove(round);
        return counted == null ? 0 : counted;
    }

    @Override
    public void startRound(int round) {
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
    public int newestFeedbackRound() {
        return newestRound;
    }

    @Override
    public void clear() {
        counts.clear();
        countingRecords = 0;
    }

    @Override
    public void snapshot() throws Exception {
        setAsideCount();
        long[] stored = new long[counts.size() * 2];
        int i = 0;
        for (Map.Entry<Integer, Long> entry : counts.entrySet()) {
            stored[i++] = entry.getKey();
            stored[i++] = entry.getValue();
        }
        countsState.update(stored);
    }
}
