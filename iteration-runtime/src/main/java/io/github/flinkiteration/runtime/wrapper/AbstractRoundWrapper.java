package io.github.flinkiteration.runtime.wrapper;

import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.api.RoundAwareProcessFunction;
import io.github.flinkiteration.api.SpillOptions;
import io.github.flinkiteration.api.spi.CurrentRound;
import io.github.flinkiteration.api.spi.RoundAggregates;
import io.github.flinkiteration.api.spi.RoundAwareFunctions;
import io.github.flinkiteration.api.spi.SaturatedRound;
import io.github.flinkiteration.runtime.checkpoint.CheckpointPreconditions;
import io.github.flinkiteration.runtime.checkpoint.ItemListState;
import io.github.flinkiteration.runtime.checkpoint.SubtaskProgress;
import io.github.flinkiteration.runtime.internal.ChainedHandoff;
import io.github.flinkiteration.runtime.internal.EagerFlusher;
import io.github.flinkiteration.runtime.internal.OutputFlusher;
import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.replay.SpillingBuffer;
import io.github.flinkiteration.runtime.wrapper.EarlyRecords.HeldRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.metrics.groups.OperatorMetricGroup;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.runtime.state.OperatorStateBackend;
import org.apache.flink.streaming.api.graph.StreamConfig;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorV2;
import org.apache.flink.streaming.api.operators.AbstractUdfStreamOperator;
import org.apache.flink.streaming.api.operators.KeyContextHandler;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFutures;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.operators.StreamTaskStateInitializer;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;
import org.apache.flink.streaming.runtime.tasks.StreamTask;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Runs one operator of an iteration body. It unwraps incoming {@link IterationRecord}s for the
 * wrapped operator, tags what the operator emits with the current round, tracks the round watermark
 * over all its inputs, and calls the operator's {@link IterationListener} callbacks in round order
 * before passing each round watermark on.
 *
 * <p>In lock-step (bounded iterations), a record of round {@code r + 1} that arrives before this
 * subtask ended round {@code r} (possible when its input channels are skewed) is held back until
 * then. Otherwise (unbounded iterations) every record is processed as it arrives; the callbacks
 * still come in round order, and what the operator emits is flushed eagerly ({@link EagerFlusher}),
 * since a sparse stream of model updates must not wait for Flink's buffer timeout.
 *
 * <p>Checkpoint and lifecycle calls go straight to the wrapped operator, which shares this
 * wrapper's configuration and so its state, metrics and operator id. The wrapper's own progress
 * (round watermarks per input, rounds started and ended, held records) is written into the wrapped
 * operator's operator state under names of its own, so that after a restore no callback runs twice
 * and none is skipped.
 */
abstract class AbstractRoundWrapper<OUT, OP extends StreamOperator<OUT>>
        implements StreamOperator<IterationRecord<OUT>>, KeyContextHandler {

    private static final long serialVersionUID = 1L;

    protected final OP inner;
    private final RoundTaggingOutput<OUT> taggingOutput;
    private final Output<StreamRecord<IterationRecord<OUT>>> output;
    private final OutputFlusher flusher;
    private final EagerFlusher eagerFlusher;
    private final IterationListener<OUT> listener;
    private final RoundAwareProcessFunction<?, ?> roundAware;
    private final ListenerContext listenerContext = new ListenerContext();
    private final ListenerCollector listenerCollector = new ListenerCollector();

    private final long[] inputRounds;
    private final boolean[] inputEnded;
    private long combinedRound = Long.MIN_VALUE;
    private long startedRound = -1;
    private long endedRound = -1;
    private final boolean lockStep;

    /** Lock-step only: records of a later round, waiting for this subtask's end of a round. */
    private transient EarlyRecords earlyRecords;

    /** The task thread's round, for IterationRuntimeContext; taken in the first call on it. */
    private CurrentRound currentRound;

    /** What the thread's round was before this wrapper called into its operator. */
    private long outerRound;

    private RoundAggregates outerAggregates;

    /** This subtask's part in the iteration's aggregators, or null when it declares none. */
    private RoundAggregation aggregation;

    private final StreamConfig config;
    private final StreamTask<?, ?> task;

    /**
     * Whether each input record is this operator's own (object reuse off: Flink copied it for this
     * operator or deserialized it), so that it can be unwrapped in place instead of into a new
     * record. With object reuse on, the upstream operator may still hold it.
     */
    private final boolean ownsInputRecords;

    private transient SubtaskProgress progressState;
    private transient ItemListState<HeldRecord> heldState;

    @SuppressWarnings("unchecked")
    AbstractRoundWrapper(
            OP inner,
            RoundTaggingOutput<OUT> taggingOutput,
            StreamOperatorParameters<IterationRecord<OUT>> parameters,
            int numberOfInputs,
            boolean lockStep) {
        Output<StreamRecord<IterationRecord<OUT>>> output = parameters.getOutput();
        ProcessingTimeService timeService = parameters.getProcessingTimeService();
        this.inner = inner;
        this.config = parameters.getStreamConfig();
        this.task = parameters.getContainingTask();
        this.lockStep = lockStep;
        this.ownsInputRecords = !task.getExecutionConfig().isObjectReuseEnabled();
        this.taggingOutput = taggingOutput;
        this.output = output;
        this.flusher = OutputFlusher.of(output, config, task.getUserCodeClassLoader());
        this.eagerFlusher = lockStep ? null : EagerFlusher.forNetworkOutputs(flusher, timeService);
        Object function =
                inner instanceof AbstractUdfStreamOperator
                        ? ((AbstractUdfStreamOperator<?, ?>) inner).getUserFunction()
                        : null;
        if (inner instanceof IterationListener) {
            this.listener = (IterationListener<OUT>) inner;
        } else if (function instanceof IterationListener) {
            this.listener = (IterationListener<OUT>) function;
        } else {
            this.listener = null;
        }
        this.roundAware =
                function instanceof RoundAwareProcessFunction
                        ? (RoundAwareProcessFunction<?, ?>) function
                        : null;
        this.inputRounds = new long[numberOfInputs];
        Arrays.fill(inputRounds, Long.MIN_VALUE);
        this.inputEnded = new boolean[numberOfInputs];
    }

    /**
     * Sets the wrapped operator's key for a record of input {@code input}, if that input is keyed:
     * its key selector reads the wrapped record.
     */
    protected abstract void setInnerKey(
            int input, StreamRecord<? extends IterationRecord<?>> wrapped) throws Exception;

    /** Hands one unwrapped record to the wrapped operator's input {@code input}. */
    protected abstract void deliver(int input, StreamRecord<?> value) throws Exception;

    protected final StreamConfig config() {
        return config;
    }

    /** Tells the wrapped operator that all its inputs ended. */
    protected abstract void endInnerInputs() throws Exception;

    protected final void onRecord(int input, StreamRecord<? extends IterationRecord<?>> record)
            throws Exception {
        long round = record.getValue().getRound();
        if (lockStep && round > endedRound + 1) {
            earlyRecords.hold(new HeldRecord(input, copy(record)));
            return;
        }
        startRoundsUpTo(round);
        process(input, record, round);
    }

    private void process(int input, StreamRecord<? extends IterationRecord<?>> record, long round)
            throws Exception {
        taggingOutput.setRound(round);
        if (roundAware != null) {
            RoundAwareFunctions.setCurrentRound(roundAware, round);
        }
        Object value = record.getValue().getValue();
        long emittedBefore = taggingOutput.emitted();
        enterRound(round);
        try {
            setInnerKey(input, record);
            StreamRecord<Object> unwrapped;
            if (ownsInputRecords) {
                @SuppressWarnings("unchecked")
                StreamRecord<Object> own = (StreamRecord<Object>) (StreamRecord<?>) record;
                unwrapped = own.replace(value);
            } else {
                unwrapped =
                        record.hasTimestamp()
                                ? new StreamRecord<>(value, record.getTimestamp())
                                : new StreamRecord<>(value);
            }
            deliver(input, unwrapped);
        } finally {
            leaveRound();
        }
        if (eagerFlusher != null && taggingOutput.emitted() != emittedBefore) {
            eagerFlusher.afterEmit();
        }
    }

    protected final void onWatermark(int input, Watermark mark) throws Exception {
        inputRounds[input] = Math.max(inputRounds[input], mark.getTimestamp());
        long min = Long.MAX_VALUE;
        for (long round : inputRounds) {
            min = Math.min(min, round);
        }
        if (min <= combinedRound) {
            return;
        }
        combinedRound = min;
        // MAX_VALUE means every input finished for good: close the rounds already begun. Not in
        // lock-step: there every round up to the last one ended through its watermark before the
        // end, and a round begun but not ended holds the last round's feedback let in at
        // termination (IterationConfig#lastFeedbackEntersBody), a round that never ends.
        long lastToEnd =
                min != Long.MAX_VALUE
                        ? min
                        : lockStep ? endedRound : Math.max(startedRound, endedRound);
        while (endedRound < lastToEnd) {
            endRound(endedRound + 1);
        }
    }

    private void startRoundsUpTo(long round) throws Exception {
        while (startedRound < round) {
            startedRound++;
            if (aggregation != null) {
                aggregation.startRound(startedRound);
            }
            if (listener != null) {
                taggingOutput.setRound(startedRound);
                enterRound(startedRound);
                try {
                    listener.onRoundStart(
                            SaturatedRound.of(startedRound), listenerContext, listenerCollector);
                } catch (Exception e) {
                    throw callbackFailed("onRoundStart", "in round " + startedRound, e);
                } finally {
                    leaveRound();
                }
            }
        }
    }

    private void endRound(long round) throws Exception {
        startRoundsUpTo(round);
        if (listener != null) {
            taggingOutput.setRound(round);
            enterRound(round);
            try {
                listener.onRoundEnd(SaturatedRound.of(round), listenerContext, listenerCollector);
            } catch (Exception e) {
                throw callbackFailed("onRoundEnd", "in round " + round, e);
            } finally {
                leaveRound();
            }
        }
        if (aggregation != null) {
            aggregation.endRound(round);
        }
        endedRound = round;
        output.emitWatermark(new Watermark(round));
        flusher.flush();
        releaseHeldRecords(round + 1);
    }

    /**
     * Makes {@code round} (and this operator's aggregators) the task thread's current ones for the
     * call into the operator that follows; {@link #leaveRound} puts back those of a wrapper this
     * one is chained behind, or none.
     */
    private void enterRound(long round) {
        if (currentRound == null) {
            currentRound = CurrentRound.ofThisThread();
        }
        // Not reentrant: a chain has no cycle, so this wrapper is never called from its own call.
        outerRound = currentRound.get();
        outerAggregates = currentRound.aggregates();
        currentRound.set(round, aggregation);
    }

    private void leaveRound() {
        currentRound.set(outerRound, outerAggregates);
    }

    /** Makes this subtask take part in the iteration's aggregators (before it is initialized). */
    void joinAggregation(RoundAggregation aggregation) {
        this.aggregation = aggregation;
    }

    /** Names the operator, callback and round: Flink's own report names only the task. */
    private ListenerCallbackException callbackFailed(String callback, String when, Exception e) {
        return new ListenerCallbackException(
                config.getOperatorName(),
                task.getEnvironment().getTaskInfo().getIndexOfThisSubtask(),
                callback,
                when,
                e);
    }

    private void releaseHeldRecords(long round) throws Exception {
        if (earlyRecords == null) {
            return;
        }
        earlyRecords.release(
                round,
                held -> {
                    startRoundsUpTo(round);
                    process(held.input, held.record, round);
                });
    }

    protected final void onInputEnded(int input) throws Exception {
        if (inputEnded[input]) {
            return; // ended again after a restore: Flink repeats the end of a finished input
        }
        inputEnded[input] = true;
        for (boolean ended : inputEnded) {
            if (!ended) {
                return;
            }
        }
        long lastRound = Math.max(endedRound, 0);
        taggingOutput.setRound(lastRound);
        enterRound(lastRound);
        try {
            if (listener != null) {
                try {
                    listener.onIterationTerminated(listenerContext, listenerCollector);
                } catch (Exception e) {
                    throw callbackFailed("onIterationTerminated", "after round " + lastRound, e);
                }
            }
            endInnerInputs();
        } finally {
            leaveRound();
        }
        if (earlyRecords != null) {
            earlyRecords.close();
        }
        output.emitWatermark(Watermark.MAX_WATERMARK);
        flusher.flush();
    }

    private static StreamRecord<IterationRecord<?>> copy(
            StreamRecord<? extends IterationRecord<?>> record) {
        IterationRecord<?> value = record.getValue();
        IterationRecord<?> copy = new IterationRecord<>(value.getRound(), value.getValue());
        return record.hasTimestamp()
                ? new StreamRecord<>(copy, record.getTimestamp())
                : new StreamRecord<>(copy);
    }

    // ---- the wrapper reports no key context: it sets the wrapped operator's key itself ----

    @Override
    public boolean hasKeyContext1() {
        return false;
    }

    @Override
    public boolean hasKeyContext2() {
        return false;
    }

    @Override
    public void setKeyContextElement1(StreamRecord<?> record) {}

    @Override
    public void setKeyContextElement2(StreamRecord<?> record) {}

    // ---- lifecycle and checkpoints go to the wrapped operator ----

    @Override
    public void open() throws Exception {
        inner.open();
        // Opened after the operators chained behind it (Flink opens a chain from its end).
        taggingOutput.handOverTo(
                ChainedHandoff.soleReceiver(
                        config,
                        task.getUserCodeClassLoader(),
                        false,
                        getMetricGroup().getIOMetricGroup().getNumRecordsOutCounter()));
        if (aggregation != null) {
            aggregation.open();
        }
        // Flink does not checkpoint which watermark each input channel delivered: after a restore
        // every channel downstream starts without one. A round watermark this subtask sent before
        // the checkpoint is not sent again by anything else, and a downstream input whose other
        // channels go on would wait for it forever. Repeating it is harmless: downstream takes the
        // maximum per input.
        if (endedRound >= 0 && !allInputsEnded()) {
            output.emitWatermark(new Watermark(endedRound));
            flusher.flush();
        }
    }

    private boolean allInputsEnded() {
        for (boolean ended : inputEnded) {
            if (!ended) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void finish() throws Exception {
        inner.finish();
    }

    @Override
    public void close() throws Exception {
        try {
            inner.close();
        } finally {
            if (earlyRecords != null) {
                // Also on failure and cancellation: the spill files go.
                earlyRecords.close();
            }
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        inner.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public OperatorSnapshotFutures snapshotState(
            long checkpointId,
            long timestamp,
            CheckpointOptions checkpointOptions,
            CheckpointStreamFactory storageLocation)
            throws Exception {
        // Written before the wrapped operator snapshots its operator state, which includes these.
        long[] progress = new long[3 + 2 * inputRounds.length];
        int i = 0;
        progress[i++] = combinedRound;
        progress[i++] = startedRound;
        progress[i++] = endedRound;
        for (int input = 0; input < inputRounds.length; input++) {
            progress[i++] = inputRounds[input];
            progress[i++] = inputEnded[input] ? 1 : 0;
        }
        progressState.update(progress);
        heldState.update(earlyRecords == null ? List.of() : earlyRecords.all());
        if (aggregation != null) {
            aggregation.snapshotState();
        }
        return inner.snapshotState(checkpointId, timestamp, checkpointOptions, storageLocation);
    }

    @Override
    public void initializeState(StreamTaskStateInitializer streamTaskStateManager)
            throws Exception {
        inner.initializeState(streamTaskStateManager);
        OperatorStateBackend store = operatorStateOf(inner);
        String operator = "body operator '" + config.getOperatorName() + "'";
        int subtask = task.getEnvironment().getTaskInfo().getIndexOfThisSubtask();
        int parallelism = task.getEnvironment().getTaskInfo().getNumberOfParallelSubtasks();
        CheckpointPreconditions.recordParallelism(store, parallelism);
        progressState =
                SubtaskProgress.register(
                        store, "flink-iteration.round-progress", subtask, parallelism);
        List<TypeSerializer<IterationRecord<?>>> serializers = new ArrayList<>();
        for (int input = 0; input < inputRounds.length; input++) {
            serializers.add(config.getTypeSerializerIn(input, task.getUserCodeClassLoader()));
        }
        heldState =
                ItemListState.register(
                        store, "flink-iteration.held-records", new EarlyRecords.Codec(serializers));
        if (lockStep) {
            earlyRecords =
                    new EarlyRecords(
                            earlyRecordsOnHeap(),
                            task.getEnvironment().getMemoryManager(),
                            SpillingBuffer.spillDirectoryOf(task.getEnvironment(), subtask),
                            "flink-iteration-early-" + spillName() + "-" + subtask + "-",
                            serializers);
        }
        if (aggregation != null) {
            aggregation.initializeState(store);
        }
        SubtaskProgress.Restored restored = progressState.restored();
        if (restored.isRescaled()) {
            if (lockStep && heldState.get().iterator().hasNext()) {
                // Records of a round that had not started here: a snapshot in the middle of a
                // round, which the heads refuse too.
                throw CheckpointPreconditions.notRescalable(
                        operator, restored.all().size(), parallelism);
            }
            restoreOldest(restored.all());
            if (aggregation != null && !aggregation.rescale(endedRound)) {
                throw CheckpointPreconditions.notRescalable(
                        operator, restored.all().size(), parallelism);
            }
            return;
        }
        long[] progress = restored.own();
        if (progress.length == 0) {
            return;
        }
        int i = 0;
        combinedRound = progress[i++];
        startedRound = progress[i++];
        endedRound = progress[i++];
        for (int input = 0; input < inputRounds.length; input++) {
            inputRounds[input] = progress[i++];
            inputEnded[input] = progress[i++] != 0;
        }
        if (earlyRecords != null) {
            for (HeldRecord held : heldState.get()) {
                earlyRecords.hold(held);
            }
        }
    }

    /**
     * At another parallelism: goes on from the oldest progress of the subtasks that took the
     * checkpoint. A bounded iteration rescales only from a snapshot taken between two rounds, in
     * which every subtask had ended the same round (or, in round 0, waits for the same inputs to
     * end, which Flink ends again after the restore). In an unbounded iteration, subtasks whose
     * inputs are all-to-all exchanges saw the same round watermarks before the barrier, so they
     * agree; those behind a forward edge from heads in different rounds may not, and then a round's
     * callbacks run again here for the part of the keyed state that had passed it
     * (docs/failure-semantics.md §7). Nothing is held in unbounded iterations.
     */
    private void restoreOldest(List<long[]> old) {
        combinedRound = Long.MAX_VALUE;
        startedRound = Long.MAX_VALUE;
        endedRound = Long.MAX_VALUE;
        Arrays.fill(inputRounds, Long.MAX_VALUE);
        Arrays.fill(inputEnded, true);
        for (long[] progress : old) {
            int i = 0;
            combinedRound = Math.min(combinedRound, progress[i++]);
            startedRound = Math.min(startedRound, progress[i++]);
            endedRound = Math.min(endedRound, progress[i++]);
            for (int input = 0; input < inputRounds.length; input++) {
                inputRounds[input] = Math.min(inputRounds[input], progress[i++]);
                inputEnded[input] &= progress[i++] != 0;
            }
        }
    }

    /** The operator's name as far as it is safe in a file name. */
    private String spillName() {
        String name = String.valueOf(config.getOperatorName()).replaceAll("[^A-Za-z0-9_-]", "_");
        return name.length() > 40 ? name.substring(0, 40) : name;
    }

    /** The job's limit, else the TaskManager's, else the default. */
    private int earlyRecordsOnHeap() {
        ConfigOption<Integer> key = SpillOptions.EARLY_RECORDS_HEAP_RECORDS;
        return task.getEnvironment()
                .getJobConfiguration()
                .getOptional(key)
                .or(
                        () ->
                                task.getEnvironment()
                                        .getTaskManagerInfo()
                                        .getConfiguration()
                                        .getOptional(key))
                .orElse(key.defaultValue());
    }

    private static OperatorStateBackend operatorStateOf(StreamOperator<?> operator) {
        if (operator instanceof AbstractStreamOperator) {
            return ((AbstractStreamOperator<?>) operator).getOperatorStateBackend();
        }
        if (operator instanceof AbstractStreamOperatorV2) {
            return ((AbstractStreamOperatorV2<?>) operator).getOperatorStateBackend();
        }
        throw new UnsupportedOperationException(
                "The operator "
                        + operator.getClass().getName()
                        + " extends neither AbstractStreamOperator nor AbstractStreamOperatorV2;"
                        + " an iteration body cannot keep its round progress in checkpoints.");
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        inner.notifyCheckpointComplete(checkpointId);
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) throws Exception {
        inner.notifyCheckpointAborted(checkpointId);
    }

    @Override
    public OperatorMetricGroup getMetricGroup() {
        return inner.getMetricGroup();
    }

    @Override
    public OperatorID getOperatorID() {
        return inner.getOperatorID();
    }

    @Override
    public void setCurrentKey(Object key) {
        inner.setCurrentKey(key);
    }

    @Override
    public Object getCurrentKey() {
        return inner.getCurrentKey();
    }

    private final class ListenerContext implements IterationListener.Context {
        @Override
        public <X> void output(OutputTag<X> outputTag, X value) {
            taggingOutput.collect(outputTag, new StreamRecord<>(value));
        }
    }

    private final class ListenerCollector implements Collector<OUT> {
        @Override
        public void collect(OUT value) {
            taggingOutput.collect(new StreamRecord<>(value));
        }

        @Override
        public void close() {}
    }
}
