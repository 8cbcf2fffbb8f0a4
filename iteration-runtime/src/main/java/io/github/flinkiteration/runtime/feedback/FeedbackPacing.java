package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.runtime.checkpoint.AsyncRawState;
import io.github.flinkiteration.runtime.internal.HandoffOutput;
import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import io.github.flinkiteration.runtime.protocol.RoundFeedback;
import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.record.IterationRecordSerializer;
import io.github.flinkiteration.runtime.replay.SpillingBuffer;
import java.util.function.Supplier;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.state.StatePartitionStreamProvider;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.function.ThrowingConsumer;

/**
 * When a head passes feedback into the body: held until its round starts ({@link LockStepPacing},
 * bounded iterations) or at once ({@link FreeFlowPacing}, unbounded ones, and bounded ones whose
 * body cannot observe a round boundary). Chosen once, from the iteration's {@code ProgressPlan};
 * each pacing owns the part of the head's checkpoint that depends on it.
 */
interface FeedbackPacing {

    /**
     * The pacing of {@code plan}'s heads, with its part of the head's state registered.
     *
     * @param rescaled when restored at another parallelism (free-flowing rounds only), the counts
     *     this subtask starts with; null otherwise
     * @param memory the head's share of managed memory, for the feedback a lock-step head holds
     *     (read only when the plan is lock-step)
     * @param rawState the head's raw operator state, where a lock-step head keeps what it holds
     * @param finalValues where the feedback that enters no round goes (the last round's, for {@code
     *     IterationDeclaration.Builder#withFinalValue}); null to drop it
     */
    static <T> FeedbackPacing choose(
            ProgressPlan plan,
            Output<StreamRecord<IterationRecord<T>>> output,
            HandoffOutput<IterationRecord<T>> newRecordOutput,
            TypeSerializer<IterationRecord<T>> serializer,
            OperatorStateStore store,
            int subtask,
            int parallelism,
            boolean restored,
            RescaledCounts rescaled,
            Supplier<SpillingBuffer.Share> memory,
            Iterable<StatePartitionStreamProvider> rawState,
            ThrowingConsumer<StreamRecord<IterationRecord<T>>, Exception> finalValues)
            throws Exception {
        TypeSerializer<T> valueSerializer =
                ((IterationRecordSerializer<T>) serializer).getValueSerializer();
        return plan.isLockStep()
                ? new LockStepPacing<>(
                        output,
                        serializer,
                        valueSerializer,
                        store,
                        restored,
                        memory.get(),
                        rawState,
                        finalValues)
                : new FreeFlowPacing<>(
                        output,
                        newRecordOutput,
                        valueSerializer,
                        store,
                        subtask,
                        parallelism,
                        restored,
                        rescaled,
                        plan.getMaxRounds(),
                        finalValues);
    }

    /** Feedback arrived from the tail; returns whether it was passed on at once. */
    boolean onFeedback(RoundFeedback feedback) throws Exception;

    /** How many feedback records entered {@code round}; asked once per round, in order. */
    long feedbackFor(long round);

    /** Emits what waits for {@code round}, which starts now, all at once. */
    void startRound(long round) throws Exception;

    /**
     * Emits a slice of what waits for {@code round}, which is starting; returns whether more is
     * left, for a later call. The head calls it once per mailbox action, so that a checkpoint
     * barrier or other mail need not wait behind a whole round.
     */
    default boolean emitSlice(long round) throws Exception {
        startRound(round);
        return false;
    }

    /**
     * The round whose feedback {@link #emitSlice} had started but not finished emitting when the
     * restored checkpoint was taken (or is emitting now); -1 if none. A restored head finishes it.
     */
    default long roundBeingEmitted() {
        return -1;
    }

    /** How many feedback records wait here for their round; read by a metric. */
    long heldRecords();

    /** The serialized bytes of the feedback that waits here; read by a metric. */
    long heldBytes();

    /** The highest round any feedback entered here, or -1 if none came; read by a metric. */
    long newestFeedbackRound();

    /**
     * The iteration has ended after {@code lastRound}: what was fed back in it goes to the final
     * values, if the iteration has any (a free-flowing pacing sent it there as it came), and all
     * feedback is forgotten.
     */
    void end(long lastRound) throws Exception;

    /**
     * Snapshots what this pacing keeps; raw operator state goes to {@code rawStateLater}, which
     * writes it in the checkpoint's asynchronous phase.
     */
    void snapshot(StateSnapshotContext context, AsyncRawState rawStateLater) throws Exception;

    /** Gives back what holds feedback (memory, files): the head closes, also on failure. */
    default void close() throws Exception {}
}
