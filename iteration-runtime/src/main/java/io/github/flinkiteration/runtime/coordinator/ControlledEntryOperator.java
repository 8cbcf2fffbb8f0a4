package io.github.flinkiteration.runtime.coordinator;

import io.github.flinkiteration.runtime.checkpoint.AsyncRawState;
import io.github.flinkiteration.runtime.checkpoint.SubtaskProgress;
import io.github.flinkiteration.runtime.record.IterationRecord;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFutures;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Base of the operators where a stream enters the loop and that live until the iteration ends (a
 * variable's head, a constant's replay): input 1 is the stream, input 2 the iteration's control
 * source, which emits one record and ends when the iteration terminates.
 *
 * <p>That one record tells an end of the control input that the iteration asked for from one that
 * Flink forced: stop-with-savepoint with {@code --drain} ends every source, the control source too,
 * in the middle of a round. Such an end fails the task with a message saying so (see
 * docs/failure-semantics.md §5); the stop then fails and the job goes on from its last checkpoint.
 *
 * <p>Event-time watermarks, watermark statuses and record attributes stop here on purpose: inside
 * the loop, watermarks are round numbers.
 */
public abstract class ControlledEntryOperator<T> extends AbstractStreamOperator<IterationRecord<T>>
        implements TwoInputStreamOperator<T, Void, IterationRecord<T>>, BoundedMultiInput {

    private static final long serialVersionUID = 1L;

    /**
     * Whether the control source said the iteration terminated. Checkpointed: a control source that
     * finished before a checkpoint is restored finished and ends this input again, announcing
     * nothing. (Flink places the barrier of such a channel after its last record.)
     */
    private transient boolean iterationEnded;

    private transient SubtaskProgress iterationEndedState;

    private transient AsyncRawState rawStateLater;

    protected ControlledEntryOperator(StreamOperatorParameters<IterationRecord<T>> parameters) {
        super(parameters);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        iterationEndedState =
                SubtaskProgress.register(
                        context.getOperatorStateStore(),
                        "control-ended",
                        getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                        getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks());
        SubtaskProgress.Restored restored = iterationEndedState.restored();
        if (restored.isRescaled()) {
            // The iteration ends for all subtasks: at another parallelism, any old subtask's word
            // counts.
            for (long[] stored : restored.all()) {
                iterationEnded |= stored.length > 0 && stored[0] != 0;
            }
        } else {
            long[] stored = restored.own();
            iterationEnded = stored.length > 0 && stored[0] != 0;
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        iterationEndedState.update(iterationEnded ? 1 : 0);
    }

    /**
     * Raw operator state that {@code snapshotState(StateSnapshotContext)} defers to Flink's
     * asynchronous checkpoint phase instead of writing it to {@code getRawOperatorStateOutput()}.
     */
    protected final AsyncRawState rawStateLater() {
        if (rawStateLater == null) {
            rawStateLater = new AsyncRawState();
        }
        return rawStateLater;
    }

    /** Flink's snapshot, with the raw operator state deferred to its asynchronous phase. */
    @Override
    public OperatorSnapshotFutures snapshotState(
            long checkpointId,
            long timestamp,
            CheckpointOptions checkpointOptions,
            CheckpointStreamFactory factory)
            throws Exception {
        OperatorSnapshotFutures futures;
        try {
            futures = super.snapshotState(checkpointId, timestamp, checkpointOptions, factory);
        } catch (Exception e) {
            rawStateLater().discardDeferred();
            throw e;
        }
        rawStateLater().attach(futures, factory);
        return futures;
    }

    /** Cancels raw state writes still running; subclasses close their buffers after this. */
    @Override
    public void close() throws Exception {
        try {
            if (rawStateLater != null) {
                rawStateLater.close();
            }
        } finally {
            super.close();
        }
    }

    @Override
    public final void processElement2(StreamRecord<Void> element) {
        iterationEnded = true;
    }

    @Override
    public final void endInput(int inputId) throws Exception {
        if (inputId == 1) {
            endEnteringInput();
        } else if (!iterationEnded) {
            throw new IllegalStateException(
                    "The "
                            + describe()
                            + " lost its control input before the iteration terminated: the job"
                            + " is being stopped with --drain, which ends every source. An"
                            + " iteration cannot drain; that would cut its loop in the middle of a"
                            + " round. Stop the job without --drain (its savepoint resumes the"
                            + " iteration where it stopped), or cancel it.");
        }
    }

    /** The stream entering the loop (input 1) ended; Flink may say so again after a restore. */
    protected abstract void endEnteringInput() throws Exception;

    /** Names the operator for messages, for example {@code head of variable 'x'}. */
    protected abstract String describe();

    @Override
    public final void processWatermark1(Watermark mark) {}

    @Override
    public final void processWatermark2(Watermark mark) {}

    @Override
    protected final void processWatermarkStatus(WatermarkStatus watermarkStatus, int index) {}

    @Override
    public final void processRecordAttributes1(RecordAttributes recordAttributes) {}

    @Override
    public final void processRecordAttributes2(RecordAttributes recordAttributes) {}

    @Override
    public final void processWatermark1(WatermarkEvent watermark) {}

    @Override
    public final void processWatermark2(WatermarkEvent watermark) {}
}
