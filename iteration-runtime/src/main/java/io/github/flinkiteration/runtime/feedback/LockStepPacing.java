package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.runtime.checkpoint.ItemListState;
import io.github.flinkiteration.runtime.protocol.FeedbackItem;
import io.github.flinkiteration.runtime.protocol.FeedbackItemCodec;
import io.github.flinkiteration.runtime.protocol.RoundFeedback;
import io.github.flinkiteration.runtime.record.IterationRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Bounded iterations: feedback waits at the head until the round it enters starts, so that no
 * operator of the body sees a record of round {@code r + 1} before its own end of round {@code r}.
 * What is held goes into the head's checkpoint.
 */
final class LockStepPacing<T> implements FeedbackPacing {

    /** Feedback by the round it enters, while that round has not started. */
    private final TreeMap<Integer, List<RoundFeedback>> held = new TreeMap<>();

    /** What {@link #held} holds, kept as it changes, so metrics read two fields. */
    private long heldRecords;

    private long heldBytes;
    private int newestRound = -1;

    private final Output<StreamRecord<IterationRecord<T>>> output;
    private final TypeSerializer<T> valueSerializer;
    private final ItemListState<FeedbackItem> heldState;

    LockStepPacing(
            Output<StreamRecord<IterationRecord<T>>> output,
            TypeSerializer<IterationRecord<T>> serializer,
            TypeSerializer<T> valueSerializer,
            OperatorStateStore store,
            boolean restored)
            throws Exception {
        this.output = output;
        this.valueSerializer = valueSerializer;
        this.heldState =
                ItemListState.register(store, "head-held", new FeedbackItemCodec<>(serializer));
        if (restored) {
            for (FeedbackItem item : heldState.get()) {
                // Only feedback is ever stored here.
                onFeedback((RoundFeedback) item);
            }
        }
    }

    @Override
    public boolean onFeedback(RoundFeedback feedback) {
        held.computeIfAbsent(feedback.round(), r -> new ArrayList<>()).add(feedback);
        heldRecords += feedback.count();
        heldBytes += feedback.serializedBytes();
        newestRound = Math.max(newestRound, feedback.round());
        return false;
    }

    @Override
    public long feedbackFor(int round) {
        long records = 0;
        for (RoundFeedback feedback : held.getOrDefault(round, List.of())) {
            records += feedback.count();
        }
        return records;
    }

    @Override
    public void startRound(int round) throws Exception {
        List<RoundFeedback> feedback = held.remove(round);
        if (feedback != null) {
            for (RoundFeedback part : feedback) {
                heldRecords -= part.count();
                heldBytes -= part.serializedBytes();
                part.emit(valueSerializer, output::collect);
            }
        }
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
    public int newestFeedbackRound() {
        return newestRound;
    }

    @Override
    public void clear() {
        held.clear();
        heldRecords = 0;
        heldBytes = 0;
    }

    @Override
    public void snapshot() throws Exception {
        List<FeedbackItem> all = new ArrayList<>();
        held.values().forEach(all::addAll);
        heldState.update(all);
    }
}
