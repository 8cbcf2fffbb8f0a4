package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.runtime.checkpoint.CheckpointPreconditions;
import io.github.flinkiteration.runtime.checkpoint.ItemListState;
import io.github.flinkiteration.runtime.checkpoint.SubtaskProgress;
import io.github.flinkiteration.runtime.internal.ChainedHandoff;
import io.github.flinkiteration.runtime.internal.OutputFlusher;
import io.github.flinkiteration.runtime.protocol.FeedbackItem;
import io.github.flinkiteration.runtime.protocol.FeedbackItemCodec;
import io.github.flinkiteration.runtime.protocol.FeedbackRecord;
import io.github.flinkiteration.runtime.protocol.RoundMarker;
import io.github.flinkiteration.runtime.protocol.RoundSummary;
import io.github.flinkiteration.runtime.protocol.SerializedFeedback;
import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.record.IterationRecordSerializer;
import java.io.IOException;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Where a feedback stream ends: each record moves to the next round and goes, with every round
 * watermark, through the {@link FeedbackChannel} to the co-located head subtask.
 *
 * <p>Where rounds are decided in the data plane it also sends, at each round watermark, a {@link
 * RoundSummary} (how many records it fed back in that round) to every {@link RoundDeciderOperator}.
 *
 * <p>Its checkpoint holds what it put into the channel between the head's snapshot and its own: the
 * feedback that was inside the loop's one edge that Flink's barriers do not cross. On restore it
 * puts those items into the new channel before anything else.
 */
public final class TailOperator<T> extends AbstractStreamOperator<RoundSummary>
        implements OneInputStreamOperator<IterationRecord<T>, RoundSummary> {

    private static final long serialVersionUID = 1L;

    private final String iterationId;
    private final String variable;
    private final int variableIndex;
    private final boolean summarizes;
    private final boolean onlyVariable;
    private final boolean lockStep;
    private final boolean batchesRecords;

    /** Free flow in the head's task: the head takes the chunks when it takes feedback. */
    private final boolean inHeadThread;

    private transient FeedbackChannel channel;
    private transient TypeSerializer<IterationRecord<T>> copier;
    private transient OpenChunks<T> chunks;

    /** Unbounded iterations: serializes the records handed over while the channel is crowded. */
    private transient SerializedFeedback.Writer<T> overflow;

    /**
     * Free flow in the head's task: the head takes the chunks being written when it takes feedback
     * ({@link FeedbackChannel#attachLocalWriter}); set while it has been told that some wait.
     */
    private transient boolean takeRequested;

    private transient ItemListState<FeedbackItem> loggedState;
    private transient List<FeedbackItem> restoredLog;
    private transient SubtaskProgress summaryState;
    private transient OutputFlusher flusher;

    /** The last round summarized, and the records fed back since. */
    private transient long summarizedRound;

    private transient long fedBack;

    /**
     * @param variableIndex the variable's position among the iteration's variables
     * @param summarizes whether to send a {@link RoundSummary} at each round watermark
     * @param lockStep whether the head holds each round's feedback until the round starts; the tail
     *     then hands it over serialized ({@link SerializedFeedback})
     */
    public TailOperator(
            String iterationId,
            String variable,
            int variableIndex,
            boolean summarizes,
            boolean lockStep) {
        this(iterationId, variable, variableIndex, summarizes, false, lockStep);
    }

    /**
     * @param onlyVariable whether this is the iteration's only variable: at parallelism 1 its head
     *     then decides each round alone, and the summaries only keep the decider's state in step
     *     (so that a snapshot restores at another parallelism); nothing waits for them
     */
    public TailOperator(
            String iterationId,
            String variable,
            int variableIndex,
            boolean summarizes,
            boolean onlyVariable,
            boolean lockStep) {
        this(iterationId, variable, variableIndex, summarizes, onlyVariable, lockStep, false);
    }

    /**
     * @param inHeadTask whether this tail is chained into its head's task. Then free-flowing
     *     records are serialized into chunks too, which the head takes whenever it takes feedback:
     *     what it fed back in one go comes back as a few chunks instead of an object graph per
     *     record (objects in flight are what the garbage collector copies, and a record and its
     *     envelopes per visit were most of W3's allocations). A tail in a task of its own reads one
     *     network record per mailbox action and hands records over one by one.
     */
    public TailOperator(
            String iterationId,
            String variable,
            int variableIndex,
            boolean summarizes,
            boolean onlyVariable,
            boolean lockStep,
            boolean inHeadTask) {
        this.iterationId = iterationId;
        this.variable = variable;
        this.variableIndex = variableIndex;
        this.summarizes = summarizes;
        this.onlyVariable = onlyVariable;
        this.lockStep = lockStep;
        this.batchesRecords = lockStep || inHeadTask;
        this.inHeadThread = !lockStep && inHeadTask;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        String operator = "tail of variable '" + variable + "'";
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        CheckpointPreconditions.recordParallelism(context.getOperatorStateStore(), parallelism);
        TypeSerializer<IterationRecord<T>> serializer =
                config.getTypeSerializerIn(0, getUserCodeClassloader());
        loggedState =
                ItemListState.register(
                        context.getOperatorStateStore(),
                        "tail-in-flight",
                        new FeedbackItemCodec<>(serializer));
        summaryState =
                SubtaskProgress.register(
                        context.getOperatorStateStore(), "tail-summary", subtask, parallelism);
        summarizedRound = -1;
        SubtaskProgress.Restored restored = summaryState.restored();
        if (context.isRestored() && restored.isRescaled()) {
            // The records the old tails logged are dealt out among the new tails, their markers
            // dropped: the new tail sends its own as the body's round watermarks come again.
            restoredLog = FeedbackRescaling.recordsOnly(loggedState.get());
            if (lockStep) {
                summarizedRound =
                        summarizedAtBoundary(restored.all(), operator, subtask, parallelism);
            }
        } else if (context.isRestored()) {
            long[] summary = restored.own();
            restoredLog = loggedState.get();
            if (summary.length == 2) {
                summarizedRound = summary[0];
                fedBack = summary[1];
            } else if (summarizes) {
                // Without the count of the round in progress the deciders could stop too early.
                throw new IllegalStateException(
                        "The tail of variable '"
                                + variable
                                + "' is restored from a checkpoint or savepoint taken by an"
                                + " earlier version of Flink Iteration, whose state lacks the"
                                + " round counts this version's round deciders need. Restore it"
                                + " with the version that took it, or start the job afresh.");
            }
        }
    }

    /**
     * A bounded iteration restored at another parallelism from a snapshot taken between two rounds
     * (the heads refuse any other): every old tail had passed the same round's watermark, whose
     * summary was sent and decided. Only before round 0's watermark (round 0 still running, its
     * inputs not ended) had the old tails counted feedback for a summary not sent yet: subtask 0
     * takes the sum, so that the deciders' total, which says whether the round fed anything back,
     * stays the same.
     */
    private long summarizedAtBoundary(
            List<long[]> old, String operator, int subtask, int parallelism) {
        long round = Long.MIN_VALUE;
        long counted = 0;
        for (long[] summary : old) {
            if (summary.length != 2 || (round != Long.MIN_VALUE && summary[0] != round)) {
                throw CheckpointPreconditions.notRescalable(operator, old.size(), parallelism);
            }
            round = summary[0];
            counted += summary[1];
        }
        fedBack = subtask == 0 ? counted : 0;
        return round == Long.MIN_VALUE ? -1 : round;
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        // Records of the round in progress belong to this side of the cut.
        if (chunks != null) {
            chunks.handOverAll();
        }
        loggedState.update(channel.snapshotAtTail(context.getCheckpointId()));
        summaryState.update(summarizedRound, fedBack);
    }

    @Override
    public void open() throws Exception {
        super.open();
        channel = FeedbackChannels.acquire(this, iterationId, variable);
        flusher = OutputFlusher.of(output, config, getUserCodeClassloader());
        TypeSerializer<T> valueSerializer =
                ((IterationRecordSerializer<T>)
                                config.<IterationRecord<T>>getTypeSerializerIn(
                                        0, getUserCodeClassloader()))
                        .getValueSerializer();
        if (batchesRecords) {
            chunks = new OpenChunks<>(valueSerializer, this::putChunk);
        } else {
            overflow = new SerializedFeedback.Writer<>(valueSerializer);
        }
        if (inHeadThread) {
            channel.attachLocalWriter(this::handOverChunks, chunks::reuse);
        }
        if (chunks != null) {
            // Serializes each record at once and keeps nothing of it.
            ChainedHandoff.offer(config, this, false);
        }
        if (!batchesRecords && getExecutionConfig().isObjectReuseEnabled()) {
            // With object reuse a chained upstream operator may change the value after emitting
            // it, while the head still holds it: hand over a copy.
            copier = config.getTypeSerializerIn(0, getUserCodeClassloader());
        }
        if (restoredLog != null) {
            restoredLog.forEach(channel::put);
            restoredLog = null;
        }
    }

    @Override
    public void processElement(StreamRecord<IterationRecord<T>> element) throws IOException {
        if (element.getValue().getValue() == null) {
            // Otherwise the serializer fails deep inside, without naming the variable.
            throw new NullPointerException(
                    "The feedback stream of variable '"
                            + variable
                            + "' emitted a null record in round "
                            + element.getValue().getRound()
                            + ". Null records cannot be fed back: filter them out before"
                            + " withFeedback(\""
                            + variable
                            + "\", ...), or wrap the values (for example in an Optional).");
        }
        fedBack++;
        if (chunks != null) {
            // Serializing copies the value: safe with object reuse too.
            chunks.write(element, element.getValue().getRound() + 1);
            if (inHeadThread && !takeRequested) {
                takeRequested = true;
                channel.requestTake();
            }
            return;
        }
        if (channel.isCrowded()) {
            // The head lags behind: hand the record over serialized, so that the channel can spill
            // it instead of keeping it on the heap. One record per chunk: nothing may wait here.
            overflow.write(element, element.getValue().getRound() + 1);
            channel.put(overflow.take());
            return;
        }
        if (copier == null) {
            // Without object reuse this record is the tail's own: Flink copied it for this chained
            // operator or deserialized it from the network. Move it to the next round in place.
            IterationRecord<T> record = element.getValue();
            record.setRound(record.getRound() + 1);
            channel.put(new FeedbackRecord<>(element));
            return;
        }
        IterationRecord<T> record = copier.copy(element.getValue());
        record.setRound(record.getRound() + 1);
        channel.put(
                new FeedbackRecord<>(
                        element.hasTimestamp()
                                ? new StreamRecord<>(record, element.getTimestamp())
                                : new StreamRecord<>(record)));
    }

    @Override
    public void processWatermark(Watermark mark) {
        if (chunks != null) {
            chunks.handOverAll();
        }
        channel.put(new RoundMarker(mark.getTimestamp()));
        long round = mark.getTimestamp();
        // A restored head sends its last round watermark again: summarize each round once.
        if (summarizes && round > summarizedRound && round < Long.MAX_VALUE) {
            output.collect(
                    new StreamRecord<>(
                            new RoundSummary(
                                    variableIndex,
                                    getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                                    getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks(),
                                    round,
                                    fedBack)));
            // The deciders wait for it: do not let it sit in a buffer. A lone head at parallelism
            // 1 decides without its decider, and a flush per round would cost its short rounds
            // more than they take (benchmark W1): the summary goes with the buffer.
            if (!(onlyVariable
                    && getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks() == 1)) {
                flusher.flush();
            }
            summarizedRound = round;
            fedBack = 0;
        }
    }

    /** Free flow in the head's task: the head takes feedback now. */
    private void handOverChunks() {
        takeRequested = false;
        chunks.handOverAll();
    }

    private void putChunk(SerializedFeedback chunk) {
        channel.put(chunk);
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus watermarkStatus) {}

    @Override
    public void processRecordAttributes(RecordAttributes recordAttributes) {}

    @Override
    public void processWatermark(WatermarkEvent watermark) {}

    @Override
    public void close() throws Exception {
        if (chunks != null) {
            ChainedHandoff.withdraw(config);
        }
        if (channel != null) {
            if (inHeadThread) {
                channel.attachLocalWriter(null);
            }
            FeedbackChannels.release(this, iterationId, variable);
            channel = null;
        }
        super.close();
    }
}
