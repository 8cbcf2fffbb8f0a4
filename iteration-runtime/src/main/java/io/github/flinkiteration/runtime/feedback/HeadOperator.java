package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.runtime.checkpoint.CheckpointPreconditions;
import io.github.flinkiteration.runtime.checkpoint.ItemListState;
import io.github.flinkiteration.runtime.checkpoint.ProgressState;
import io.github.flinkiteration.runtime.internal.OutputFlusher;
import io.github.flinkiteration.runtime.operator.ControlledEntryOperator;
import io.github.flinkiteration.runtime.progress.ProgressPlan;
import io.github.flinkiteration.runtime.progress.ResumeEvent;
import io.github.flinkiteration.runtime.progress.RoundDeciderOperator;
import io.github.flinkiteration.runtime.progress.RoundDecision;
import io.github.flinkiteration.runtime.progress.RoundDecisionEvent;
import io.github.flinkiteration.runtime.progress.RoundReportEvent;
import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.record.IterationRecordSerializer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.coordination.OperatorEvent;
import org.apache.flink.runtime.operators.coordination.OperatorEventGateway;
import org.apache.flink.runtime.operators.coordination.OperatorEventHandler;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.FlinkRuntimeException;

/**
 * Where a variable enters the body. Input 1 carries the initial records, which enter round 0; input
 * 2 comes from the iteration's control source, emits nothing, and ends when the iteration ends,
 * which keeps this task running (with checkpoints flowing) after input 1 has ended.
 *
 * <p>Feedback arrives through the {@link FeedbackChannel} from the co-located tail. In lock-step
 * (bounded iterations) it is held until the coordinator starts the round it belongs to; otherwise
 * it is passed on at once. Once the tail says a round is complete, the head reports the round and
 * its feedback count to the coordinator, which answers for all heads at once: start the next round
 * (emit its round watermark), or stop.
 *
 * <p>In lock-step iterations without termination checks or constants the decision is taken in the
 * data plane instead: a {@link RoundDeciderOperator} co-located with this head hears every tail's
 * round summary and puts its {@link RoundDecision} into this head's feedback channel. The head
 * applies it once the round is complete here too, and reports only the round it stops after.
 *
 * <p>When this head is the iteration's only participant (parallelism 1, no termination checks) it
 * knows all the coordinator will know, so it takes the same decision at once instead of waiting a
 * round trip to the JobManager, and reports only the round it stops after, so that the coordinator
 * decides alike and ends the control source; the coordinator's late decision is then ignored.
 *
 * <p>A checkpoint stores the head's progress, the feedback it holds or counts, and the feedback
 * that was in the channel when the barrier passed here (see {@link FeedbackChannel}); the tail
 * stores what followed until the barrier reached it. On restore the head tells the coordinator
 * where it stands and sends its last report again.
 */
public final class HeadOperator<T> extends ControlledEntryOperator<T>
        implements OperatorEventHandler {

    private static final long serialVersionUID = 1L;

    private final ProgressPlan plan;
    private final String variable;
    private final OperatorEventGateway coordinator;
    private final OutputFlusher flusher;
    private final MailboxExecutor mailbox;

    private transient FeedbackChannel channel;

    /**
     * Feedback by the round it will enter, while that round has not started: records, and chunks of
     * serialized records ({@link SerializedFeedback}) from the tail.
     */
    private final TreeMap<Integer, List<Object>> heldFeedback = new TreeMap<>();

    private transient TypeSerializer<T> valueSerializer;

    /**
     * Without lock-step, feedback is passed on at once, so it is only counted: records by the round
     * they entered, for rounds not yet reported as the next one. The round being counted right now
     * is kept aside, since feedback mostly comes in runs of one round.
     */
    private final TreeMap<Integer, Long> feedbackCounts = new TreeMap<>();

    private int countingRound = -1;
    private long countingRecords;

    private int emittedRound = -1;
    private long tailCompleteRound = Long.MIN_VALUE;
    private int reportedRound = -1;
    private long reportedFeedback;
    private boolean initialEnded;
    private boolean terminated;
    private transient boolean decidesAlone;
    private transient boolean reportsOnlyLastRound;

    /** The latest decision of the co-located round decider, until it applies here. */
    private transient RoundDecision decision;

    private transient ProgressState progressState;
    private transient ItemListState<Object> heldState;
    private transient ItemListState<Object> inFlightState;
    private transient ProgressState countsState;
    private transient List<Object> restoredInFlight;

    HeadOperator(
            StreamOperatorParameters<IterationRecord<T>> parameters,
            ProgressPlan plan,
            String variable) {
        super(parameters);
        this.plan = plan;
        this.variable = variable;
        OperatorID operatorId = parameters.getStreamConfig().getOperatorID();
        this.coordinator =
                parameters.getOperatorEventDispatcher().getOperatorEventGateway(operatorId);
        parameters.getOperatorEventDispatcher().registerEventHandler(operatorId, this);
        this.flusher = OutputFlusher.of(parameters.getOutput());
        this.mailbox = parameters.getMailboxExecutor();
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        CheckpointPreconditions.requireAlignedCheckpoints(getContainingTask(), describe());
        CheckpointPreconditions.requireSameParallelism(
                context.getOperatorStateStore(),
                getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks(),
                describe());
        TypeSerializer<IterationRecord<T>> serializer =
                config.getTypeSerializerOut(getUserCodeClassloader());
        valueSerializer = ((IterationRecordSerializer<T>) serializer).getValueSerializer();
        FeedbackItemCodec<T> codec = new FeedbackItemCodec<>(serializer);
        progressState = ProgressState.register(context.getOperatorStateStore(), "head-progress");
        heldState = ItemListState.register(context.getOperatorStateStore(), "head-held", codec);
        inFlightState =
                ItemListState.register(context.getOperatorStateStore(), "head-in-flight", codec);
        countsState = ProgressState.register(context.getOperatorStateStore(), "head-counts");
        if (context.isRestored()) {
            restore();
        }
    }

    private String describe() {
        return "head of variable '" + variable + "'";
    }

    @SuppressWarnings("unchecked")
    private void restore() throws Exception {
        long[] progress = progressState.get();
        emittedRound = (int) progress[0];
        tailCompleteRound = progress[1];
        reportedRound = (int) progress[2];
        reportedFeedback = progress[3];
        initialEnded = progress[4] != 0;
        terminated = progress[5] != 0;
        for (Object item : heldState.get()) {
            hold(item);
        }
        long[] counts = countsState.get();
        for (int i = 0; i + 1 < counts.length; i += 2) {
            feedbackCounts.put((int) counts[i], counts[i + 1]);
        }
        restoredInFlight = inFlightState.get();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<Object> inFlight =
                channel == null || terminated
                        ? List.of()
                        : channel.snapshotAtHead(context.getCheckpointId());
        progressState.update(
                emittedRound,
                tailCompleteRound,
                reportedRound,
                reportedFeedback,
                initialEnded ? 1 : 0,
                terminated ? 1 : 0);
        List<Object> held = new ArrayList<>();
        heldFeedback.values().forEach(held::addAll);
        heldState.update(held);
        setAsideCount();
        long[] counts = new long[feedbackCounts.size() * 2];
        int i = 0;
        for (Map.Entry<Integer, Long> entry : feedbackCounts.entrySet()) {
            counts[i++] = entry.getKey();
            counts[i++] = entry.getValue();
        }
        countsState.update(counts);
        inFlightState.update(inFlight);
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) throws Exception {
        super.notifyCheckpointAborted(checkpointId);
        if (channel != null) {
            channel.abort(checkpointId);
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        channel = FeedbackChannels.acquire(this, plan.getIterationId(), variable);
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        decidesAlone = plan.isDecidedByHead(parallelism);
        reportsOnlyLastRound = plan.reportsOnlyLastRound(parallelism);
        coordinator.sendEventToCoordinator(new ResumeEvent(emittedRound, terminated));
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
        if (reportedRound >= 0 && !reportsOnlyLastRound) {
            // The coordinator may not have heard it before the checkpoint; it counts it once.
            coordinator.sendEventToCoordinator(
                    new RoundReportEvent(reportedRound, reportedFeedback));
        }
        channel.registerConsumer(mailbox, this::onFeedback);
    }

    @Override
    public void processElement1(StreamRecord<T> element) {
        output.collect(element.replace(new IterationRecord<>(0, element.getValue())));
    }

    @Override
    public void endInput(int inputId) throws Exception {
        // After a restore Flink ends an input again that had ended before the checkpoint.
        if (inputId == 1 && !initialEnded) {
            initialEnded = true;
            emitRoundWatermark(0);
            reportCompletedRounds();
        }
    }

    @SuppressWarnings("unchecked")
    private void onFeedback(List<Object> items) throws Exception {
        boolean passedOn = false;
        for (Object item : items) {
            if (item instanceof RoundMarker) {
                tailCompleteRound = Math.max(tailCompleteRound, ((RoundMarker) item).round);
            } else if (item instanceof RoundDecision) {
                RoundDecision next = (RoundDecision) item;
                if (!decidesAlone && (decision == null || next.round > decision.round)) {
                    decision = next;
                }
            } else if (terminated) {
                continue;
            } else if (plan.isLockStep()) {
                hold(item);
            } else {
                StreamRecord<IterationRecord<T>> record = (StreamRecord<IterationRecord<T>>) item;
                count(record.getValue().getRound());
                output.collect(record);
                passedOn = true;
            }
        }
        if (passedOn) {
            // Feedback is often a trickle of model updates: do not let it wait for a full buffer.
            flusher.flush();
        }
        reportCompletedRounds();
    }

    @Override
    public void handleOperatorEvent(OperatorEvent event) {
        try {
            onDecision((RoundDecisionEvent) event);
        } catch (Exception e) {
            throw new FlinkRuntimeException(
                    "Could not apply " + event + " at the " + describe(), e);
        }
    }

    private void onDecision(RoundDecisionEvent decision) throws Exception {
        if (decision.isTerminate()) {
            terminate();
        } else if (!reportsOnlyLastRound && decision.getNextRound() > emittedRound) {
            startRound(decision.getNextRound());
        }
        // Otherwise this head's rounds are decided without the coordinator.
        reportCompletedRounds();
    }

    private void terminate() {
        if (!terminated) {
            terminated = true;
            heldFeedback.clear();
            feedbackCounts.clear();
            countingRecords = 0;
            channel.close();
        }
    }

    /** Keeps a feedback record, or a chunk of them, until its round starts. */
    @SuppressWarnings("unchecked")
    private void hold(Object item) {
        int round =
                item instanceof SerializedFeedback
                        ? ((SerializedFeedback) item).round
                        : ((StreamRecord<IterationRecord<T>>) item).getValue().getRound();
        heldFeedback.computeIfAbsent(round, r -> new ArrayList<>()).add(item);
    }

    @SuppressWarnings("unchecked")
    private void startRound(int round) throws Exception {
        List<Object> held = heldFeedback.remove(round);
        if (held != null) {
            for (Object item : held) {
                if (item instanceof SerializedFeedback) {
                    ((SerializedFeedback) item).forEach(valueSerializer, output::collect);
                } else {
                    output.collect((StreamRecord<IterationRecord<T>>) item);
                }
            }
        }
        emitRoundWatermark(round);
    }

    private void emitRoundWatermark(int round) {
        emittedRound = round;
        output.emitWatermark(new Watermark(round));
        flusher.flush();
    }

    /**
     * A round is complete here once it was started and the tail has passed its watermark. Reports
     * each complete round to the coordinator, or decides it alone, or applies the round decider's
     * decision on it.
     */
    private void reportCompletedRounds() throws Exception {
        while (!terminated && reportedRound < emittedRound && reportedRound < tailCompleteRound) {
            int round = reportedRound + 1;
            long feedbackRecords = feedbackFor(round + 1);
            reportedRound = round;
            reportedFeedback = feedbackRecords;
            if (decidesAlone) {
                applyDecision(new RoundDecision(round, plan.stopsAfter(round, feedbackRecords)));
            } else if (!reportsOnlyLastRound) {
                coordinator.sendEventToCoordinator(new RoundReportEvent(round, feedbackRecords));
            }
        }
        if (decision != null && !terminated && decision.round <= reportedRound) {
            RoundDecision ready = decision;
            decision = null;
            if (ready.round == emittedRound) {
                applyDecision(ready);
            }
            // Otherwise it was applied before a checkpoint and handed over again after it.
        }
    }

    /** Applies the decision taken after {@code decision.round}, which is complete here. */
    private void applyDecision(RoundDecision decision) throws Exception {
        if (decision.stop) {
            // The coordinator hears only of the last round; it ends the control source.
            coordinator.sendEventToCoordinator(
                    new RoundReportEvent(decision.round, reportedFeedback));
            terminate();
        } else {
            startRound(decision.round + 1);
        }
    }

    private void count(int round) {
        if (round != countingRound) {
            setAsideCount();
            countingRound = round;
        }
        countingRecords++;
    }

    private void setAsideCount() {
        if (countingRecords > 0) {
            feedbackCounts.merge(countingRound, countingRecords, Long::sum);
            countingRecords = 0;
        }
    }

    /** How many feedback records arrived for {@code round}; called once per round. */
    private long feedbackFor(int round) {
        if (plan.isLockStep()) {
            long records = 0;
            for (Object item : heldFeedback.getOrDefault(round, List.of())) {
                records +=
                        item instanceof SerializedFeedback ? ((SerializedFeedback) item).count : 1;
            }
            return records;
        }
        setAsideCount();
        Long counted = feedbackCounts.remove(round);
        return counted == null ? 0 : counted;
    }

    @Override
    public void close() throws Exception {
        if (channel != null) {
            channel.close();
            FeedbackChannels.release(this, plan.getIterationId(), variable);
            channel = null;
        }
        super.close();
    }
}
