package io.github.flinkiteration.runtime.replay;

import io.github.flinkiteration.runtime.checkpoint.AsyncRawState;
import io.github.flinkiteration.runtime.checkpoint.CheckpointPreconditions;
import io.github.flinkiteration.runtime.checkpoint.ProgressState;
import io.github.flinkiteration.runtime.checkpoint.SubtaskProgress;
import io.github.flinkiteration.runtime.coordinator.ControlledEntryOperator;
import io.github.flinkiteration.runtime.coordinator.IterationCoordinatorProvider.Role;
import io.github.flinkiteration.runtime.coordinator.ParticipantOperatorFactory;
import io.github.flinkiteration.runtime.internal.OutputFlusher;
import io.github.flinkiteration.runtime.protocol.HoldingEvent;
import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import io.github.flinkiteration.runtime.protocol.ResumeEvent;
import io.github.flinkiteration.runtime.protocol.RoundDecisionEvent;
import io.github.flinkiteration.runtime.protocol.SnapshotHoldEvent;
import io.github.flinkiteration.runtime.record.IterationRecord;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.core.memory.DataOutputViewStreamWrapper;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.coordination.OperatorEvent;
import org.apache.flink.runtime.operators.coordination.OperatorEventGateway;
import org.apache.flink.runtime.operators.coordination.OperatorEventHandler;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StatePartitionStreamProvider;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Where a constant enters the body. Input 1 carries the constant's records: they pass into round 0
 * and are cached; when the input ends, round watermark 0 follows. Each time the coordinator starts
 * a round {@code r}, the cache is replayed tagged with {@code r}, followed by round watermark
 * {@code r}. Input 2 comes from the iteration's control source and ends when the iteration ends,
 * which keeps this task alive until then, as for a head.
 *
 * <p>A replay goes out in slices, one mailbox action each, so that a large constant does not hold
 * the task thread (and its checkpoint barriers, once there are checkpoints) for a whole round.
 * Record timestamps are not cached: replayed records carry none. The cache ({@link SpillingBuffer})
 * takes this operator's share of managed memory and spills beyond it to {@link
 * io.github.flinkiteration.api.SpillOptions#SPILL_DIRECTORIES} (by default the TaskManager's
 * temporary directories); its file is deleted when the operator closes, also on failure and
 * cancellation.
 *
 * <p>A checkpoint holds the cached records (as raw operator state: neither the pages nor the local
 * file survive a failover, and the constant's source may have finished long ago), the rounds still
 * to replay and how far the current replay got; a restore resumes the replay at that record. The
 * records are written in Flink's asynchronous checkpoint phase from a frozen view of the cache
 * ({@link AsyncRawState}), so the task thread goes on replaying meanwhile.
 *
 * <p>Metrics, in the iteration's group: {@code cachedRecords}, {@code cacheMemoryBytes} and {@code
 * cacheSpilledBytes}, read from the cache.
 */
public final class ReplayOperator<T> extends ControlledEntryOperator<T>
        implements OperatorEventHandler {

    private static final long serialVersionUID = 1L;

    /** Records per mailbox action while replaying. */
    private static final int SLICE = 4096;

    private final MailboxExecutor mailbox;
    private final OutputFlusher flusher;
    private final String constant;
    private final ProgressPlan plan;

    private transient SpillingBuffer<T> cache;
    private final OperatorEventGateway coordinator;
    private final ArrayDeque<Long> roundsToReplay = new ArrayDeque<>();
    private boolean inputEnded;

    /** The last round whose start this operator heard of; round 0 needs no replay. */
    private long lastStartedRound;

    private Iterator<T> replaying;
    private long replayingRound;
    private long replayedRecords;

    private transient ProgressState progressState;

    /** Union state: where each subtask stood, read when restored at another parallelism. */
    private transient SubtaskProgress positionState;

    /** The rescalable snapshot this replay holds for ({@link SnapshotHoldEvent}); -1 if none. */
    private transient long holdingFor = -1;

    private transient long holdUpTo;
    private transient boolean holdAnswered;

    /** Whether the end of the constant's input waits for the hold to end. */
    private transient boolean deferredInputEnd;

    /** Set by a restore that found a replay under way: from which record it resumes. */
    private transient long resumeReplayAt = -1;

    /**
     * The factory of the replay of {@code constant}, with the coordinator that starts its rounds.
     */
    public static <T> ParticipantOperatorFactory<IterationRecord<T>> factory(
            String constant, ProgressPlan plan) {
        return new ParticipantOperatorFactory<>(
                plan,
                Role.REPLAY,
                ReplayOperator.class,
                parameters -> new ReplayOperator<>(parameters, constant, plan));
    }

    private ReplayOperator(
            StreamOperatorParameters<IterationRecord<T>> parameters,
            String constant,
            ProgressPlan plan) {
        super(parameters);
        this.constant = constant;
        this.plan = plan;
        OperatorID operatorId = parameters.getStreamConfig().getOperatorID();
        parameters.getOperatorEventDispatcher().registerEventHandler(operatorId, this);
        this.coordinator =
                parameters.getOperatorEventDispatcher().getOperatorEventGateway(operatorId);
        this.mailbox = parameters.getMailboxExecutor();
        this.flusher =
                OutputFlusher.of(
                        parameters.getOutput(),
                        parameters.getStreamConfig(),
                        parameters.getContainingTask().getUserCodeClassLoader());
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        String operator = describe();
        CheckpointPreconditions.requireAlignedCheckpoints(getContainingTask(), operator);
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        CheckpointPreconditions.recordParallelism(context.getOperatorStateStore(), parallelism);
        TypeSerializer<T> serializer = config.getTypeSerializerIn(0, getUserCodeClassloader());
        cache = SpillingBuffer.forOperator(this, serializer, "replay-" + constant);
        progressState = ProgressState.register(context.getOperatorStateStore(), "replay-progress");
        positionState =
                SubtaskProgress.register(
                        context.getOperatorStateStore(),
                        "replay-position",
                        getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                        parallelism);
        if (!context.isRestored()) {
            return;
        }
        SubtaskProgress.Restored position = positionState.restored();
        if (position.isRescaled()) {
            restoreAtBoundary(position.all(), parallelism);
        }
        for (StatePartitionStreamProvider partition : context.getRawOperatorStateInputs()) {
            try (InputStream stream = partition.getStream()) {
                DataInputViewStreamWrapper in = new DataInputViewStreamWrapper(stream);
                long records = in.readLong();
                for (long i = 0; i < records; i++) {
                    cache.append(serializer.deserialize(in));
                }
            }
        }
        if (position.isRescaled()) {
            // The cached records of the old subtasks were dealt out above, whole partitions each.
            if (inputEnded) {
                cache.finish();
            }
            return;
        }
        long[] progress = progressState.get();
        inputEnded = progress[0] != 0;
        lastStartedRound = progress[1];
        if (progress[2] >= 0) {
            replayingRound = progress[2];
            resumeReplayAt = progress[3];
        }
        for (int i = 4; i < progress.length; i++) {
            roundsToReplay.add(progress[i]);
        }
        if (inputEnded) {
            cache.finish();
        }
    }

    /**
     * At another parallelism, from a snapshot taken between two rounds (see {@link
     * SnapshotHoldEvent}): every old subtask had replayed every round it had heard of, the same
     * ones, and had read its part of the constant to the end, or all had not. Each new subtask
     * replays the cached records it was dealt.
     */
    private void restoreAtBoundary(List<long[]> old, int parallelism) {
        long[] first = null;
        for (long[] entry : old) {
            if (entry.length != 3
                    || entry[2] == 0
                    || (first != null && (entry[0] != first[0] || entry[1] != first[1]))) {
                throw CheckpointPreconditions.notRescalable(describe(), old.size(), parallelism);
            }
            first = entry;
        }
        if (first != null) {
            inputEnded = first[0] != 0;
            lastStartedRound = first[1];
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        boolean boundary = holdingFor == context.getCheckpointId() && holdAnswered && isIdle();
        positionState.update(inputEnded ? 1 : 0, lastStartedRound, boundary ? 1 : 0);
        if (holdingFor >= 0 && context.getCheckpointId() >= holdingFor) {
            // The barrier has left this operator: what follows belongs after the snapshot.
            long over = holdingFor;
            mailbox.execute(() -> endHold(over), "end hold for snapshot %s", over);
        }
        long[] progress = new long[4 + roundsToReplay.size()];
        progress[0] = inputEnded ? 1 : 0;
        progress[1] = lastStartedRound;
        progress[2] = replaying == null ? -1 : replayingRound;
        progress[3] = replayedRecords;
        int i = 4;
        for (long round : roundsToReplay) {
            progress[i++] = round;
        }
        progressState.update(progress);
        // The cache goes to the checkpoint in Flink's asynchronous phase: here it is only frozen
        // (the records appended so far, which later appends and close() leave alone).
        SpillingBuffer<T>.Frozen frozen = cache.freeze();
        rawStateLater()
                .defer(
                        new AsyncRawState.Writer() {
                            @Override
                            public void writeTo(DataOutputViewStreamWrapper out)
                                    throws IOException {
                                out.writeLong(frozen.records());
                                frozen.writeTo(out, 0, frozen.bytes());
                            }

                            @Override
                            public void close() {
                                frozen.close();
                            }
                        });
    }

    @Override
    public void open() throws Exception {
        super.open();
        registerMetrics(plan.metricGroup(getMetricGroup()));
        coordinator.sendEventToCoordinator(new ResumeEvent(lastStartedRound, false));
        // Restored: the body's inputs lost the round watermark this replay sent before the
        // checkpoint (Flink keeps no watermarks per channel). Send it again. Rounds go out in
        // order,
        // so it is the round before the one being replayed, or else the last one started.
        if (inputEnded) {
            long lastWatermark = resumeReplayAt >= 0 ? replayingRound - 1 : lastStartedRound;
            output.emitWatermark(new Watermark(lastWatermark));
            flusher.flush();
        }
        if (resumeReplayAt >= 0) {
            replaying = cache.read(resumeReplayAt);
            replayedRecords = resumeReplayAt;
            resumeReplayAt = -1;
            mailbox.execute(this::replaySlice, "replay constant '%s'", constant);
        } else if (inputEnded) {
            mailbox.execute(this::replayNext, "replay constant '%s'", constant);
        }
    }

    private void registerMetrics(MetricGroup group) {
        // The gauges keep this attempt's buffer: once closed, it still tells what it held last.
        SpillingBuffer<T> buffer = cache;
        group.gauge("cachedRecords", (Gauge<Long>) buffer::size);
        group.gauge("cacheMemoryBytes", (Gauge<Long>) buffer::memoryBytes);
        group.gauge("cacheSpilledBytes", (Gauge<Long>) buffer::spilledBytes);
    }

    @Override
    public void processElement1(StreamRecord<T> element) throws Exception {
        // Cache first: with object reuse, a chained operator downstream may change the value.
        cache.append(element.getValue());
        output.collect(element.replace(new IterationRecord<>(0, element.getValue())));
    }

    @Override
    protected String describe() {
        return "replay of constant '" + constant + "'";
    }

    @Override
    protected void endEnteringInput() throws Exception {
        // After a restore Flink ends an input again that had ended before the checkpoint.
        if (!inputEnded && holdingFor >= 0 && holdUpTo < 0) {
            deferredInputEnd = true; // round 0's watermark would cross the snapshot
            return;
        }
        if (!inputEnded) {
            cache.finish();
            inputEnded = true;
            output.emitWatermark(new Watermark(0));
            flusher.flush();
            replayNext();
            answerHoldIfReady();
        }
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) throws Exception {
        super.notifyCheckpointAborted(checkpointId);
        if (holdingFor >= 0 && checkpointId >= holdingFor) {
            endHold(holdingFor);
        }
    }

    /** Whether every round heard of is replayed and the constant was read to the end. */
    private boolean isIdle() {
        return replaying == null && roundsToReplay.isEmpty();
    }

    /**
     * The coordinator holds the rounds for a rescalable snapshot (it sends no start meanwhile):
     * this replay answers once it stands between two rounds.
     */
    private void onHold(SnapshotHoldEvent event) throws Exception {
        if (event.isRelease()) {
            endHold(event.getCheckpointId());
            return;
        }
        if (event.getUpToRound() == SnapshotHoldEvent.WHERE_IT_STANDS) {
            holdingFor = event.getCheckpointId();
            holdUpTo = inputEnded ? lastStartedRound : -1;
        } else if (event.getCheckpointId() == holdingFor) {
            holdUpTo = Math.max(holdUpTo, event.getUpToRound());
            holdAnswered = false;
            if (deferredInputEnd && holdUpTo >= 0) {
                deferredInputEnd = false;
                endEnteringInput();
            }
        } else {
            return;
        }
        answerHoldIfReady();
    }

    private void answerHoldIfReady() {
        if (holdingFor < 0 || holdAnswered || !isIdle()) {
            return;
        }
        long round = inputEnded ? lastStartedRound : -1;
        if (round < holdUpTo) {
            return;
        }
        holdAnswered = true;
        coordinator.sendEventToCoordinator(new HoldingEvent(holdingFor, round, false));
    }

    private void endHold(long checkpointId) throws Exception {
        if (holdingFor < 0 || checkpointId < holdingFor) {
            return;
        }
        holdingFor = -1;
        holdAnswered = false;
        if (deferredInputEnd) {
            deferredInputEnd = false;
            endEnteringInput();
        }
    }

    @Override
    public void handleOperatorEvent(OperatorEvent event) {
        if (event instanceof SnapshotHoldEvent hold) {
            try {
                onHold(hold);
            } catch (Exception e) {
                throw new IllegalStateException("Could not replay constant '" + constant + "'", e);
            }
            return;
        }
        RoundDecisionEvent decision = (RoundDecisionEvent) event;
        // At termination no round follows; rounds already started still get their replay.
        if (!decision.isTerminate()) {
            // Every round up to the one started, once each: after a restore the coordinator
            // repeats the latest start, which may also cover starts this subtask never heard.
            for (long round = lastStartedRound + 1; round <= decision.getNextRound(); round++) {
                roundsToReplay.add(round);
            }
            lastStartedRound = Math.max(lastStartedRound, decision.getNextRound());
            try {
                replayNext();
            } catch (Exception e) {
                throw new IllegalStateException("Could not replay constant '" + constant + "'", e);
            }
        }
    }

    /** Starts the next round's replay, unless one is running or the constant is still read. */
    private void replayNext() throws Exception {
        if (!inputEnded || replaying != null || roundsToReplay.isEmpty()) {
            return;
        }
        replayingRound = roundsToReplay.poll();
        replaying = cache.read();
        replayedRecords = 0;
        replaySlice();
    }

    private void replaySlice() throws Exception {
        if (replaying == null) {
            return; // finish() completed this replay already
        }
        for (int i = 0; i < SLICE && replaying.hasNext(); i++) {
            output.collect(
                    new StreamRecord<>(new IterationRecord<>(replayingRound, replaying.next())));
            replayedRecords++;
        }
        if (replaying.hasNext()) {
            mailbox.execute(this::replaySlice, "replay constant '%s'", constant);
            return;
        }
        replaying = null;
        output.emitWatermark(new Watermark(replayingRound));
        flusher.flush();
        replayNext();
        answerHoldIfReady();
    }

    /**
     * All inputs ended, so the iteration has terminated; a loop whose tails do not read this
     * constant may have run ahead of its replays. Those rounds did start: replay them now, in full,
     * since no further mailbox action may be scheduled from here on.
     */
    @Override
    public void finish() throws Exception {
        while (replaying != null || !roundsToReplay.isEmpty()) {
            if (replaying == null) {
                replayNext();
            }
            while (replaying != null) {
                replayRest();
            }
        }
        super.finish();
    }

    private void replayRest() {
        while (replaying.hasNext()) {
            output.collect(
                    new StreamRecord<>(new IterationRecord<>(replayingRound, replaying.next())));
        }
        replaying = null;
        output.emitWatermark(new Watermark(replayingRound));
    }

    @Override
    public void close() throws Exception {
        if (cache != null) {
            cache.close();
            cache = null;
        }
        super.close();
    }
}
