package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import io.github.flinkiteration.runtime.protocol.RoundFeedback;
import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.record.IterationRecordSerializer;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * When a head passes feedback into the body: held until its round starts ({@link LockStepPacing},
 * bounded iterations) or at once ({@link FreeFlowPacing}, unbounded ones). Chosen once, from the
 * iteration's {@code ProgressPlan}; each pacing owns the part of the head's checkpoint that depends
 * on it.
 */
interface FeedbackPacing {

    /**
     * The pacing of {@code plan}'s heads, with its part of the head's state registered.
     *
     * @param rescaled when restored at another parallelism (unbounded iterations only), the counts
     *     this subtask starts with; null otherwise
     */
    static <T> FeedbackPacing choose(
            ProgressPlan plan,
            Output<StreamRecord<IterationRecord<T>>> output,
            TypeSerializer<IterationRecord<T>> serializer,
            OperatorStateStore store,
            int subtask,
            int parallelism,
            boolean restored,
            RescaledCounts rescaled)
            throws Exception {
        TypeSerializer<T> valueSerializer =
                ((IterationRecordSerializer<T>) serializer).getValueSerializer();
        return plan.isLockStep()
                ? new LockStepPacing<>(output, serializer, valueSerializer, store, restored)
                : new FreeFlowPacing<>(
                        output, valueSerializer, store, subtask, parallelism, restored, rescaled);
    }

    /** Feedback arrived from the tail; returns whether it was passed on at once. */
    boolean onFeedback(RoundFeedback feedback) throws Exception;

    /** How many feedback records entered {@code round}; asked once per round, in order. */
    long feedbackFor(int round);

    /** Emits what waits for {@code round}, which starts now. */
    void startRound(int round) throws Exception;

    /** How many feedback records wait here for their round; read by a metric. */
    long heldRecords();

    /** The serialized bytes of the feedback that waits here; read by a metric. */
    long heldBytes();

    /** The highest round any feedback entered here, or -1 if none came; read by a metric. */
    int newestFeedbackRound();

    /** Forgets all feedback: the iteration has ended. */
    void clear();

    void snapshot() throws Exception;
}
