package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.runtime.internal.OutputFlusher;
import io.github.flinkiteration.runtime.operator.ControlledEntryOperator;
import io.github.flinkiteration.runtime.progress.ProgressPlan;
import io.github.flinkiteration.runtime.progress.RoundDecisionEvent;
import io.github.flinkiteration.runtime.progress.RoundReportEvent;
import io.github.flinkiteration.runtime.record.IterationRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.coordination.OperatorEvent;
import org.apache.flink.runtime.operators.coordination.OperatorEventGateway;
import org.apache.flink.runtime.operators.coordination.OperatorEventHandler;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

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
 * <p>When this head is the iteration's only participant (parallelism 1, no termination checks) it
 * knows all the coordinator will know, so it takes the same decision at once instead of waiting a
 * round trip to the JobManager, and reports only the round it stops after, so that the coordinator
 * decides alike and ends the control source; the coordinator's late decision is then ignored.
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
    private transient String channelKey;

    /** Feedback records by the round they will enter, while that round has not started. */
    private final TreeMap<Integer, List<StreamRecord<IterationRecord<T>>>> heldFeedback =
            new TreeMap<>();

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
    private boolean terminated;
    private transient boolean decidesAlone;

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
    public void open() throws Exception {
        super.open();
        channelKey =
                FeedbackChannels.key(
                        plan.getIterationId(),
                        variable,
                        getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                        getRuntimeContext().getTaskInfo().getAttemptNumber());
        channel = FeedbackChannels.acquire(getContainingTask(), channelKey, this);
        channel.registerConsumer(mailbox, this::onFeedback);
        decidesAlone =
                plan.isDecidedByHead(
                        getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks());
    }

    @Override
    public void processElement1(StreamRecord<T> element) {
        output.collect(element.replace(new IterationRecord<>(0, element.getValue())));
    }

    @Override
    public void endInput(int inputId) {
        if (inputId == 1) {
            emitRoundWatermark(0);
            reportCompletedRounds();
        }
    }

    @SuppressWarnings("unchecked")
    private void onFeedback(List<Object> items) {
        boolean passedOn = false;
        for (Object item : items) {
            if (item instanceof RoundMarker) {
                tailCompleteRound = Math.max(tailCompleteRound, ((RoundMarker) item).round);
            } else if (!terminated) {
                StreamRecord<IterationRecord<T>> record = (StreamRecord<IterationRecord<T>>) item;
                int round = record.getValue().getRound();
                if (plan.isLockStep()) {
                    heldFeedback.computeIfAbsent(round, r -> new ArrayList<>()).add(record);
                } else {
                    count(round);
                    output.collect(record);
                    passedOn = true;
                }
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
        RoundDecisionEvent decision = (RoundDecisionEvent) event;
        if (decision.isTerminate()) {
            terminate();
        } else if (decision.getNextRound() > emittedRound) {
            startRound(decision.getNextRound());
        }
        // Otherwise this head already took the decision itself.
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

    private void startRound(int round) {
        List<StreamRecord<IterationRecord<T>>> records = heldFeedback.remove(round);
        if (records != null) {
            for (StreamRecord<IterationRecord<T>> record : records) {
                output.collect(record);
            }
        }
        emitRoundWatermark(round);
    }

    private void emitRoundWatermark(int round) {
        emittedRound = round;
        output.emitWatermark(new Watermark(round));
        flusher.flush();
    }

    /** A round is complete here once it was started and the tail has passed its watermark. */
    private void reportCompletedRounds() {
        while (!terminated && reportedRound < emittedRound && reportedRound < tailCompleteRound) {
            int round = reportedRound + 1;
            long feedbackRecords = feedbackFor(round + 1);
            reportedRound = round;
            if (!decidesAlone) {
                coordinator.sendEventToCoordinator(new RoundReportEvent(round, feedbackRecords));
            } else if (plan.stopsAfter(round, feedbackRecords)) {
                // The coordinator hears only of the last round; it ends the control source.
                coordinator.sendEventToCoordinator(new RoundReportEvent(round, feedbackRecords));
                terminate();
            } else {
                startRound(round + 1);
            }
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
            List<?> held = heldFeedback.get(round);
            return held == null ? 0 : held.size();
        }
        setAsideCount();
        Long counted = feedbackCounts.remove(round);
        return counted == null ? 0 : counted;
    }

    @Override
    public void close() throws Exception {
        if (channel != null) {
            channel.close();
            FeedbackChannels.release(getContainingTask(), channelKey, this);
            channel = null;
        }
        super.close();
    }
}
