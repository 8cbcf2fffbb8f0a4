package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.api.IterationLogOptions;
import io.github.flinkiteration.runtime.checkpoint.CheckpointPreconditions;
import io.github.flinkiteration.runtime.checkpoint.ItemListState;
import io.github.flinkiteration.runtime.checkpoint.SubtaskProgress;
import io.github.flinkiteration.runtime.coordinator.ControlledEntryOperator;
import io.github.flinkiteration.runtime.coordinator.IterationCoordinatorProvider.Role;
import io.github.flinkiteration.runtime.coordinator.ParticipantOperatorFactory;
import io.github.flinkiteration.runtime.internal.ChainedHandoff;
import io.github.flinkiteration.runtime.internal.HandoffOutput;
import io.github.flinkiteration.runtime.internal.OutputFlusher;
import io.github.flinkiteration.runtime.protocol.FeedbackItem;
import io.github.flinkiteration.runtime.protocol.FeedbackItemCodec;
import io.github.flinkiteration.runtime.protocol.FeedbackRecord;
import io.github.flinkiteration.runtime.protocol.HoldingEvent;
import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import io.github.flinkiteration.runtime.protocol.ResumeEvent;
import io.github.flinkiteration.runtime.protocol.RoundDecision;
import io.github.flinkiteration.runtime.protocol.RoundDecisionEvent;
import io.github.flinkiteration.runtime.protocol.RoundMarker;
import io.github.flinkiteration.runtime.protocol.RoundReportEvent;
import io.github.flinkiteration.runtime.protocol.SerializedFeedback;
import io.github.flinkiteration.runtime.protocol.SnapshotHoldEvent;
import io.github.flinkiteration.runtime.protocol.TerminatedEvent;
import io.github.flinkiteration.runtime.protocol.TerminationReason;
import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.replay.SpillingBuffer;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.checkpoint.SavepointType;
import org.apache.flink.runtime.execution.Environment;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.coordination.OperatorEvent;
import org.apache.flink.runtime.operators.coordination.OperatorEventGateway;
import org.apache.flink.runtime.operators.coordination.OperatorEventHandler;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFutures;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.FlinkRuntimeException;
import org.apache.flink.util.OutputTag;

/**
 * Where a variable enters the body. Input 1 carries the initial records, which enter round 0; input
 * 2 comes from the iteration's control source, emits nothing, and ends when the iteration ends,
 * which keeps this task running (with checkpoints flowing) after input 1 has ended.
 *
 * <p>Feedback arrives through the {@link FeedbackChannel} from the co-located tail. A {@link
 * FeedbackPacing} decides when it goes into the body: held until its round starts (lock-step,
 * bounded iterations) or at once. A round is complete here once it was started and the tail's
 * {@link RoundMarker} for it has come back; a {@link RoundDecisionStrategy} then decides what
 * follows: the coordinator, which answers for all heads at once, the co-located {@link
 * RoundDeciderOperator}, or this head alone. Both are chosen once from the {@link ProgressPlan}.
 *
 * <p>A checkpoint stores the head's progress, the feedback its pacing holds or counts, and the
 * feedback that was in the channel when the barrier passed here (see {@link FeedbackChannel}); the
 * tail stores what followed until the barrier reached it. On restore the head tells the coordinator
 * where it stands and sends its round watermark again.
 *
 * <p>Once its snapshot for a stop-with-savepoint is taken, the head passes nothing more into the
 * body and reports nothing: the job ends at that savepoint (or, if the savepoint fails, Flink fails
 * the task and the job restarts from a checkpoint), so all the loop would do afterwards is lost
 * work that delays the task's end. See docs/failure-semantics.md §7.
 *
 * <p>Each head subtask registers the iteration's round metrics ({@link HeadMetrics}); subtask 0 of
 * the first variable's head also writes the iteration's progress to the log ({@link
 * RoundProgressLog}).
 */
public final class HeadOperator<T> extends ControlledEntryOperator<T>
        implements OperatorEventHandler, FeedbackItem.Handler {

    private static final long serialVersionUID = 1L;

    private final ProgressPlan plan;
    private final String variable;
    private final boolean logsProgress;
    private final OperatorEventGateway coordinator;
    private final OutputFlusher flusher;
    private final MailboxExecutor mailbox;

    private transient FeedbackChannel channel;
    private transient FeedbackPacing pacing;

    /**
     * The output for records built here (initial records, feedback deserialized from chunks): they
     * go straight to the first body operator when it is the only one, chained ({@link
     * ChainedHandoff}).
     */
    private transient HandoffOutput<IterationRecord<T>> newRecords;

    /** The side output of the variable's final value, if the body asked for it; else null. */
    private final OutputTag<IterationRecord<T>> finalValues;

    private transient RoundDecisionStrategy decisions;
    private transient HeadMetrics metrics;

    /** Only at the one subtask per iteration that logs progress; null elsewhere. */
    private transient RoundProgressLog progressLog;

    /** When the round running now started here, for its duration. */
    private transient long roundStartNanos;

    private long emittedRound = -1;
    private long tailCompleteRound = Long.MIN_VALUE;
    private long reportedRound = -1;
    private long reportedFeedback;
    private boolean initialEnded;

    /**
     * Free flow: how many initial records may go into the body between two takes of feedback while
     * the initial input keeps delivering. Flink's mailbox runs every pending mail between two input
     * records, so taking feedback whenever some waits admitted one initial record per take: a loop
     * fed that way ran as a pipeline of a few dozen records whose every take paid a mail, a lock
     * and a batch (W3), and a checkpoint barrier waited behind all the buffered input.
     */
    static final int INITIAL_RECORDS_PER_TAKE = 4096;

    /** Free flow: initial records admitted since feedback was last taken, and at the last look. */
    private long admittedSinceTake;

    private long admittedAtLastLook;

    /** Whether the tail is chained into this task (free flow): the whole loop runs here. */
    private transient boolean loopInOneTask;

    private boolean terminated;

    /** The round whose feedback goes into the body now, slice by slice; -1 if none. */
    private transient long startingRound = -1;

    /** Whether feedback went into the body during the batch being handled. */
    private transient boolean passedOn;

    /** The round this head says it stands at when it (re)starts; see {@link #rescaleFrom}. */
    private transient long resumeRound = -1;

    /** The rescalable snapshot this head holds for ({@link SnapshotHoldEvent}); -1 if none. */
    private transient long holdingFor = -1;

    /** While holding: the latest round this head may still start. */
    private transient long holdUpTo;

    /** While holding: whether the coordinator heard where this head holds. */
    private transient boolean holdAnswered;

    /** What the hold keeps back, applied when it ends: round 0's watermark, a start, an end. */
    private transient boolean deferredInitialEnd;

    private transient long deferredStart = -1;
    private transient RoundDecision deferredStop;
    private transient TerminationReason deferredTermination;

    /**
     * Whether this head took its snapshot of a stop-with-savepoint: from then on it leaves the loop
     * alone until its task ends.
     */
    private transient boolean stoppedAtSavepoint;

    private transient SubtaskProgress progressState;
    private transient ItemListState<FeedbackItem> inFlightState;
    private transient List<FeedbackItem> restoredInFlight;

    /**
     * The factory of the head of {@code variable}, with the coordinator it reports to.
     *
     * @param logsProgress whether its subtask 0 writes the iteration's progress to the log: true
     *     for one head per iteration
     */
    public static <T> ParticipantOperatorFactory<IterationRecord<T>> factory(
            String variable, ProgressPlan plan, boolean logsProgress) {
        return factory(variable, plan, logsProgress, null);
    }

    /**
     * The factory of the head of {@code variable}, which emits the variable's final value (what the
     * last round fed back) under {@code finalValues}, a side output; null to drop it.
     */
    public static <T> ParticipantOperatorFactory<IterationRecord<T>> factory(
            String variable,
            ProgressPlan plan,
            boolean logsProgress,
            OutputTag<IterationRecord<T>> finalValues) {
        return new ParticipantOperatorFactory<>(
                plan,
                Role.HEAD,
                HeadOperator.class,
                parameters ->
                        new HeadOperator<>(parameters, plan, variable, logsProgress, finalValues));
    }

    private HeadOperator(
            StreamOperatorParameters<IterationRecord<T>> parameters,
            ProgressPlan plan,
            String variable,
            boolean logsProgress,
            OutputTag<IterationRecord<T>> finalValues) {
        super(parameters);
        this.plan = plan;
        this.variable = variable;
        this.logsProgress = logsProgress;
        this.finalValues = finalValues;
        OperatorID operatorId = parameters.getStreamConfig().getOperatorID();
        this.coordinator =
                parameters.getOperatorEventDispatcher().getOperatorEventGateway(operatorId);
        parameters.getOperatorEventDispatcher().registerEventHandler(operatorId, this);
        this.flusher =
                OutputFlusher.of(
                        parameters.getOutput(),
                        parameters.getStreamConfig(),
                        parameters.getContainingTask().getUserCodeClassLoader());
        this.mailbox = parameters.getMailboxExecutor();
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        CheckpointPreconditions.requireAlignedCheckpoints(getContainingTask(), describe());
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        CheckpointPreconditions.recordParallelism(context.getOperatorStateStore(), parallelism);
        TypeSerializer<IterationRecord<T>> serializer =
                config.getTypeSerializerOut(getUserCodeClassloader());
        boolean restored = context.isRestored();
        progressState =
                SubtaskProgress.register(
                        context.getOperatorStateStore(), "head-progress", subtask, parallelism);
        inFlightState =
                ItemListState.register(
                        context.getOperatorStateStore(),
                        "head-in-flight",
                        new FeedbackItemCodec<>(serializer));
        SubtaskProgress.Restored progress = progressState.restored();
        RescaledCounts moved = null;
        if (restored && progress.isRescaled() && plan.isLockStep()) {
            rescaleFromBoundary(progress.all(), parallelism);
            restoredInFlight = FeedbackRescaling.recordsOnly(inFlightState.get());
        } else if (restored && progress.isRescaled()) {
            // Unbounded, or bounded with free-flowing rounds: feedback in flight carries its round
            // and nothing is held, so the snapshot need not fall between two rounds.
            moved = rescaleFrom(progress.all(), subtask == 0);
            restoredInFlight = FeedbackRescaling.recordsOnly(inFlightState.get());
        } else if (restored && !progress.isEmpty()) {
            long[] own = progress.own();
            emittedRound = own[0];
            tailCompleteRound = own[1];
            reportedRound = own[2];
            reportedFeedback = own[3];
            initialEnded = own[4] != 0;
            terminated = own[5] != 0;
            resumeRound = emittedRound;
            restoredInFlight = inFlightState.get();
        }
        newRecords = new HandoffOutput<>(output);
        pacing =
                FeedbackPacing.choose(
                        plan,
                        output,
                        newRecords,
                        serializer,
                        context.getOperatorStateStore(),
                        subtask,
                        parallelism,
                        restored,
                        moved,
                        () -> SpillingBuffer.Share.of(this, "held-" + variable),
                        context.getRawOperatorStateInputs(),
                        finalValues == null ? null : record -> output.collect(finalValues, record));
    }

    /**
     * Combines the progress of the head subtasks that took the checkpoint, at another parallelism
     * (unbounded iterations, and bounded ones whose rounds flow freely; see
     * docs/failure-semantics.md §7). Every round before the latest one any old head had started was
     * decided; this head goes on from the oldest round any old head had emitted, so that no
     * restored feedback arrives after its round's watermark, and tells the coordinator the latest
     * one, which restarts the heads that lag. The first undecided round is reported again by every
     * new head; the feedback counts of the round after it, which old heads that had already
     * reported it took out of their pacing, are handed to subtask 0's pacing.
     */
    private RescaledCounts rescaleFrom(List<long[]> old, boolean takesCounts) {
        long oldestEmitted = Long.MAX_VALUE;
        long latestEmitted = -1;
        long oldestTailComplete = Long.MAX_VALUE;
        boolean allEnded = true;
        boolean anyTerminated = false;
        for (long[] entry : old) {
            oldestEmitted = Math.min(oldestEmitted, entry[0]);
            latestEmitted = Math.max(latestEmitted, entry[0]);
            oldestTailComplete = Math.min(oldestTailComplete, entry[1]);
            allEnded &= entry[4] != 0;
            anyTerminated |= entry[5] != 0;
        }
        emittedRound = oldestEmitted;
        resumeRound = latestEmitted;
        tailCompleteRound = oldestTailComplete;
        reportedRound = Math.max(-1, latestEmitted - 1);
        reportedFeedback = 0;
        initialEnded = allEnded;
        terminated = anyTerminated;
        RescaledCounts moved = new RescaledCounts(latestEmitted + 1, takesCounts);
        for (long[] entry : old) {
            if (entry[2] == latestEmitted && latestEmitted >= 0) {
                // This old head reported the first undecided round and took the count of the
                // round after it out of its pacing: it goes back in.
                moved.add(latestEmitted + 1, entry[3]);
            }
        }
        return moved;
    }

    /**
     * Combines the progress of the head subtasks of a bounded iteration that took the snapshot at
     * another parallelism. Only a snapshot taken between two rounds can be: every old head had
     * emitted the same round {@code R} and started nothing after it (see {@link
     * SnapshotHoldEvent}), so every operator of the body had seen all of round {@code R} and
     * nothing of {@code R + 1}. This head goes on at {@code R}; it learns again from its new tail
     * that {@code R} is complete here (the restored body sends {@code R}'s watermark again), and
     * the decision that follows comes as after any restore.
     */
    private void rescaleFromBoundary(List<long[]> old, int parallelism) {
        long round = Long.MIN_VALUE;
        boolean allEnded = true;
        boolean anyTerminated = false;
        for (long[] entry : old) {
            boolean boundary = entry.length > 6 && entry[6] != 0;
            anyTerminated |= entry[5] != 0;
            if (!boundary || (round != Long.MIN_VALUE && round != entry[0])) {
                if (!anyTerminated) {
                    throw CheckpointPreconditions.notRescalable(
                            describe(), old.size(), parallelism);
                }
            }
            round = entry[0];
            allEnded &= entry[4] != 0;
        }
        emittedRound = round;
        resumeRound = round;
        tailCompleteRound = round - 1;
        reportedRound = Math.max(-1, round - 1);
        reportedFeedback = 0;
        initialEnded = allEnded;
        terminated = anyTerminated;
    }

    @Override
    protected String describe() {
        return "head of variable '" + variable + "'";
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        CheckpointPreconditions.requireAlignedSnapshot(getContainingTask(), describe());
        super.snapshotState(context);
        List<FeedbackItem> inFlight =
                channel == null || terminated
                        ? List.of()
                        : channel.snapshotAtHead(context.getCheckpointId());
        boolean boundary =
                holdingFor == context.getCheckpointId() && holdAnswered && startingRound < 0;
        progressState.update(
                emittedRound,
                tailCompleteRound,
                reportedRound,
                reportedFeedback,
                initialEnded ? 1 : 0,
                terminated ? 1 : 0,
                boundary ? 1 : 0);
        pacing.snapshot(context, rawStateLater());
        inFlightState.update(inFlight);
        if (holdingFor >= 0 && context.getCheckpointId() >= holdingFor) {
            // The barrier has left this head: what follows belongs after the snapshot.
            long over = holdingFor;
            mailbox.execute(() -> endHold(over), "end hold for snapshot %s", over);
        }
    }

    @Override
    public OperatorSnapshotFutures snapshotState(
            long checkpointId,
            long timestamp,
            CheckpointOptions checkpointOptions,
            CheckpointStreamFactory factory)
            throws Exception {
        OperatorSnapshotFutures snapshot =
                super.snapshotState(checkpointId, timestamp, checkpointOptions, factory);
        if (checkpointOptions.getCheckpointType() instanceof SavepointType savepoint
                && savepoint.isSynchronous()) {
            // A stop-with-savepoint: Flink ends the task once the savepoint completes, and fails it
            // if the savepoint fails. Work past this barrier is never kept, and feedback batches
            // taken meanwhile would delay every input event (end of data, end of partition) that
            // the task must still read before it can end.
            stoppedAtSavepoint = true;
        }
        return snapshot;
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) throws Exception {
        super.notifyCheckpointAborted(checkpointId);
        if (channel != null) {
            channel.abort(checkpointId);
        }
        if (holdingFor >= 0 && checkpointId >= holdingFor) {
            endHold(holdingFor);
        }
    }

    /**
     * The coordinator asks this head to hold between two rounds for a rescalable snapshot, to let
     * it catch up with a later round, or to go on.
     */
    private void onHold(SnapshotHoldEvent event) throws Exception {
        if (event.isRelease()) {
            endHold(event.getCheckpointId());
            return;
        }
        if (event.getUpToRound() == SnapshotHoldEvent.WHERE_IT_STANDS) {
            if (holdingFor >= 0) {
                endHold(holdingFor); // an older hold whose end did not reach this head
            }
            holdingFor = event.getCheckpointId();
            holdUpTo = startingRound >= 0 ? startingRound : emittedRound;
        } else if (event.getCheckpointId() == holdingFor) {
            holdUpTo = Math.max(holdUpTo, event.getUpToRound());
            holdAnswered = false;
            if (deferredInitialEnd && holdUpTo >= 0) {
                deferredInitialEnd = false;
                initialEnded = true;
                emitRoundWatermark(0);
            }
            if (deferredStart >= 0 && deferredStart <= holdUpTo) {
                long round = deferredStart;
                deferredStart = -1;
                startRound(round);
            }
        } else {
            return; // a catch-up for a hold that is over
        }
        answerHoldIfReady();
        reportCompletedRounds();
    }

    /** Tells the coordinator where this head holds, once it stands there. */
    private void answerHoldIfReady() {
        if (holdingFor < 0 || holdAnswered) {
            return;
        }
        if (!terminated && (startingRound >= 0 || emittedRound < holdUpTo)) {
            return;
        }
        holdAnswered = true;
        coordinator.sendEventToCoordinator(new HoldingEvent(holdingFor, emittedRound, terminated));
    }

    /** Ends the hold for snapshot {@code checkpointId}: applies what it kept back, in order. */
    private void endHold(long checkpointId) throws Exception {
        if (stoppedAtSavepoint || holdingFor < 0 || checkpointId < holdingFor) {
            return;
        }
        holdingFor = -1;
        holdAnswered = false;
        if (deferredInitialEnd) {
            deferredInitialEnd = false;
            initialEnded = true;
            emitRoundWatermark(0);
        }
        if (deferredStart >= 0) {
            long round = deferredStart;
            deferredStart = -1;
            startRound(round);
        }
        if (deferredStop != null) {
            RoundDecision stop = deferredStop;
            deferredStop = null;
            applyDecision(stop);
        }
        if (deferredTermination != null) {
            TerminationReason reason = deferredTermination;
            deferredTermination = null;
            terminate(reason);
        }
        reportCompletedRounds();
    }

    @Override
    public void open() throws Exception {
        super.open();
        channel = FeedbackChannels.acquire(this, plan.getIterationId(), variable);
        // Opened after the operators chained behind it (Flink opens a chain from its end), its
        // tail among them when the loop runs in this task: only such a loop, the one a hand-off
        // and taking feedback in batches pay off for (see takesFeedbackNow), gets them.
        loopInOneTask = channel.hasLocalWriter();
        if (loopInOneTask) {
            newRecords.handOverTo(
                    ChainedHandoff.soleReceiver(
                            config,
                            getUserCodeClassloader(),
                            true,
                            getMetricGroup().getIOMetricGroup().getNumRecordsOutCounter()));
        }
        decisions =
                RoundDecisionStrategy.choose(
                        plan,
                        getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks(),
                        this);
        metrics =
                new HeadMetrics(
                        plan.metricGroup(getMetricGroup()), this, pacing, plan.isLockStep());
        metrics.restored(reportedRound, terminated);
        roundStartNanos = System.nanoTime();
        if (logsProgress
                && !terminated
                && getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
            progressLog =
                    new RoundProgressLog(
                            plan.getName(), progressInterval().toNanos(), roundStartNanos);
        }
        coordinator.sendEventToCoordinator(new ResumeEvent(resumeRound, terminated));
        if (terminated) {
            channel.close();
            return;
        }
        if (restoredInFlight != null) {
            channel.restore(restoredInFlight);
            restoredInFlight = null;
        }
        if (emittedRound >= 0) {
            // Restored: the body's inputs lost the round watermark this head sent before the
            // checkpoint (Flink keeps no watermarks per channel). Send it again.
            output.emitWatermark(new Watermark(emittedRound));
            flusher.flush();
        }
        long interrupted = pacing.roundBeingEmitted();
        if (interrupted >= 0) {
            // The checkpoint fell while this round's feedback went out: it was decided, and its
            // start goes on with what was not emitted yet; a repeated decision finds it started.
            startingRound = interrupted;
            mailbox.execute(this::emitSlices, "start round %s", interrupted);
        }
        decisions.resume(reportedRound, reportedFeedback);
        channel.registerConsumer(mailbox, this::onFeedback, this::takesFeedbackNow);
    }

    /**
     * Whether to take feedback now: unless the loop runs in this task (free flow, tail chained
     * here), after the initial input ended, or when it delivered nothing since the last look (it
     * waits for data) or {@value #INITIAL_RECORDS_PER_TAKE} records since the last take. Otherwise
     * the take waits for the next initial record.
     */
    private boolean takesFeedbackNow() {
        if (loopInOneTask
                && !initialEnded
                && admittedSinceTake > admittedAtLastLook
                && admittedSinceTake < INITIAL_RECORDS_PER_TAKE) {
            admittedAtLastLook = admittedSinceTake;
            return false;
        }
        admittedSinceTake = 0;
        admittedAtLastLook = 0;
        return true;
    }

    /** The job's setting, else the TaskManager's, else the default. */
    private Duration progressInterval() {
        Environment environment = getContainingTask().getEnvironment();
        return environment
                .getJobConfiguration()
                .getOptional(IterationLogOptions.PROGRESS_INTERVAL)
                .or(
                        () ->
                                environment
                                        .getTaskManagerInfo()
                                        .getConfiguration()
                                        .getOptional(IterationLogOptions.PROGRESS_INTERVAL))
                .orElse(IterationLogOptions.PROGRESS_INTERVAL.defaultValue());
    }

    @Override
    public void processElement1(StreamRecord<T> element) {
        admittedSinceTake++;
        newRecords.collect(element.replace(new IterationRecord<>(0, element.getValue())));
    }

    @Override
    protected void endEnteringInput() throws Exception {
        // After a restore Flink ends an input again that had ended before the checkpoint.
        if (!initialEnded) {
            if (holdingFor >= 0 && holdUpTo < 0) {
                // Round 0's watermark would cross the snapshot. Not ended in the snapshot either:
                // restored, Flink ends the input again.
                deferredInitialEnd = true;
                return;
            }
            initialEnded = true;
            emitRoundWatermark(0);
            answerHoldIfReady();
            reportCompletedRounds();
        }
    }

    private void onFeedback(List<FeedbackItem> items) throws Exception {
        if (stoppedAtSavepoint) {
            return; // past the savepoint: its state holds what is needed, see stoppedAtSavepoint
        }
        passedOn = false;
        for (FeedbackItem item : items) {
            item.accept(this);
        }
        if (passedOn) {
            // Feedback is often a trickle of model updates: do not let it wait for a full buffer.
            flusher.flush();
        }
        reportCompletedRounds();
        // A bounded loop's records may run ahead up to its round limit: nothing to warn about.
        if (progressLog != null && !plan.isBounded()) {
            progressLog.feedbackLag(
                    HeadMetrics.feedbackLagRounds(reportedRound, pacing.newestFeedbackRound()));
        }
    }

    @Override
    public void onRecord(FeedbackRecord<?> record) throws Exception {
        if (!terminated) {
            passedOn |= pacing.onFeedback(record);
        }
    }

    @Override
    public void onChunk(SerializedFeedback chunk) throws Exception {
        if (!terminated) {
            passedOn |= pacing.onFeedback(chunk);
        }
    }

    @Override
    public void onMarker(RoundMarker marker) {
        tailCompleteRound = Math.max(tailCompleteRound, marker.round);
    }

    @Override
    public void onDecision(RoundDecision decision) {
        decisions.onDeciderDecision(decision);
    }

    @Override
    public void handleOperatorEvent(OperatorEvent event) {
        if (stoppedAtSavepoint) {
            return;
        }
        try {
            if (event instanceof SnapshotHoldEvent hold) {
                onHold(hold);
                return;
            }
            RoundDecisionEvent decision = (RoundDecisionEvent) event;
            if (decision.isTerminate() && holdingFor >= 0) {
                deferredTermination = decision.getReason();
            } else if (decision.isTerminate()) {
                terminate(decision.getReason());
            } else {
                decisions.onCoordinatorStart(decision.getNextRound());
            }
            reportCompletedRounds();
        } catch (Exception e) {
            throw new FlinkRuntimeException(
                    "Could not apply " + event + " at the " + describe(), e);
        }
    }

    private void terminate(TerminationReason reason) throws Exception {
        if (!terminated) {
            terminated = true;
            if (plan.isLastFeedbackEnteringBody()) {
                // Lock-step: the head holds all of the last round's feedback by now (the round is
                // complete here only once the tail's marker came). It enters as round
                // emittedRound + 1, whose watermark never follows.
                pacing.startRound(emittedRound + 1);
                flusher.flush();
            }
            pacing.end(emittedRound);
            if (finalValues != null) {
                flusher.flush();
            }
            channel.close();
            metrics.terminated(reason);
            if (progressLog != null) {
                progressLog.ended(reportedRound, reason, System.nanoTime());
            }
        }
        // Also when told again after a restore: the control source ends once every head said so.
        coordinator.sendEventToCoordinator(new TerminatedEvent());
    }

    /**
     * Starts {@code round}: emits the feedback that waited for it, a slice per mailbox action, then
     * its round watermark.
     */
    void startRound(long round) throws Exception {
        if (stoppedAtSavepoint) {
            return;
        }
        if (round == startingRound) {
            return; // a decision repeated after a restore; the round is being started
        }
        if (holdingFor >= 0 && round > holdUpTo) {
            deferredStart = Math.max(deferredStart, round); // after the snapshot
            return;
        }
        roundStartNanos = System.nanoTime();
        startingRound = round;
        emitSlices();
    }

    /** Emits a slice of the starting round's feedback; the watermark once all of it is out. */
    private void emitSlices() throws Exception {
        if (terminated || startingRound < 0 || stoppedAtSavepoint) {
            return;
        }
        if (pacing.emitSlice(startingRound)) {
            mailbox.execute(this::emitSlices, "start round %s", startingRound);
            return;
        }
        long round = startingRound;
        startingRound = -1;
        emitRoundWatermark(round);
        answerHoldIfReady();
    }

    private void emitRoundWatermark(long round) {
        emittedRound = round;
        output.emitWatermark(new Watermark(round));
        flusher.flush();
    }

    /**
     * A round is complete here once it was started and the tail has passed its watermark. Hands
     * each complete round, in order, to the decision strategy.
     */
    private void reportCompletedRounds() throws Exception {
        if (stoppedAtSavepoint) {
            return;
        }
        while (!terminated && reportedRound < emittedRound && reportedRound < tailCompleteRound) {
            long round = reportedRound + 1;
            long feedbackRecords = pacing.feedbackFor(round + 1);
            reportedRound = round;
            reportedFeedback = feedbackRecords;
            long now = System.nanoTime();
            metrics.roundComplete(now - roundStartNanos);
            if (progressLog != null) {
                progressLog.roundComplete(
                        round,
                        now - roundStartNanos,
                        feedbackRecords,
                        pacing.heldRecords(),
                        pacing.heldBytes(),
                        now);
            }
            decisions.roundComplete(round, feedbackRecords);
        }
        decisions.afterRoundsComplete();
    }

    /** Applies the decision taken after {@code decision.round}, which is complete here. */
    void applyDecision(RoundDecision decision) throws Exception {
        if (decision.stop && holdingFor >= 0) {
            // Ending now would finish the loop's tasks before the snapshot's barriers reach them.
            deferredStop = decision;
            return;
        }
        if (decision.stop) {
            // The coordinator hears of the last round; it ends the control source.
            reportRound(decision.round, reportedFeedback);
            terminate(plan.stopReason(decision.round));
        } else {
            startRound(decision.round + 1);
        }
    }

    /** Tells the coordinator that {@code round} is complete here. */
    void reportRound(long round, long feedbackRecords) {
        coordinator.sendEventToCoordinator(new RoundReportEvent(round, feedbackRecords));
    }

    long emittedRound() {
        return emittedRound;
    }

    long reportedRound() {
        return reportedRound;
    }

    /**
     * The round this head said it stands at when it (re)started: above {@link #emittedRound} after
     * a restore at another parallelism from heads in different rounds.
     */
    long resumeRound() {
        return resumeRound;
    }

    long reportedFeedback() {
        return reportedFeedback;
    }

    boolean isTerminated() {
        return terminated;
    }

    @Override
    public void close() throws Exception {
        if (pacing != null) {
            // Also on failure and cancellation: the held rounds' pages and spill files go.
            pacing.close();
        }
        if (channel != null) {
            channel.close();
            FeedbackChannels.release(this, plan.getIterationId(), variable);
            channel = null;
        }
        super.close();
    }
}
