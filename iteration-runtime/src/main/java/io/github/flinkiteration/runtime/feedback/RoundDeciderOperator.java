package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.runtime.checkpoint.CheckpointPreconditions;
import io.github.flinkiteration.runtime.checkpoint.ProgressState;
import io.github.flinkiteration.runtime.checkpoint.SubtaskProgress;
import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import io.github.flinkiteration.runtime.protocol.RoundDecision;
import io.github.flinkiteration.runtime.protocol.RoundSummary;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.TreeMap;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Decides the rounds of a lock-step iteration next to one head subtask, without the JobManager.
 *
 * <p>Every tail subtask sends a {@link RoundSummary} to every decider at each round watermark. Once
 * a decider holds the summaries of round {@code r} from all tail subtasks of all variables, it
 * decides as the coordinator would (stop at the round limit or when nothing was fed back) and puts
 * the {@link RoundDecision} into the feedback channel of its co-located head. All deciders see the
 * same summaries, so all decide alike. This replaces a report to the JobManager and a decision back
 * (an RPC each way, about half a millisecond) by one hop over a local network channel and one
 * mailbox hand-off.
 *
 * <p><b>Checkpoints.</b> The summaries arrive over a normal network edge, so barrier alignment puts
 * each summary on one side of every checkpoint, the same side for every decider. The decider keeps
 * its last decision and the summaries of undecided rounds; on restore it hands its last decision to
 * the head again, which ignores it if it had applied it before the checkpoint.
 */
public final class RoundDeciderOperator extends AbstractStreamOperator<Void>
        implements OneInputStreamOperator<RoundSummary, Void> {

    private static final long serialVersionUID = 1L;

    private static final int SUMMARY_FIELDS = 5;

    private final ProgressPlan plan;
    private final String variable;

    private transient FeedbackChannel channel;
    private transient ProgressState state;

    /** Union state: each subtask's last decision, read when restored at another parallelism. */
    private transient SubtaskProgress decisionState;

    /**
     * The head next to this decider decides alone (a lone head at parallelism 1): this decider only
     * keeps its state in step, so that a snapshot restores at another parallelism, and sends
     * nothing.
     */
    private transient boolean headDecidesAlone;

    private transient long decidedRound;
    private transient boolean stopped;
    private transient TreeMap<Long, RoundTally> tallies;

    /**
     * @param variable the variable whose head this decider serves; its subtask {@code i} is
     *     co-located with the head's subtask {@code i}
     */
    public RoundDeciderOperator(ProgressPlan plan, String variable) {
        this.plan = plan;
        this.variable = variable;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        decidedRound = -1;
        tallies = new TreeMap<>();
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        CheckpointPreconditions.recordParallelism(context.getOperatorStateStore(), parallelism);
        headDecidesAlone = plan.isDecidedByHead(parallelism);
        state = ProgressState.register(context.getOperatorStateStore(), "decider-progress");
        decisionState =
                SubtaskProgress.register(
                        context.getOperatorStateStore(), "decider-decision", subtask, parallelism);
        SubtaskProgress.Restored decisions = decisionState.restored();
        if (context.isRestored() && decisions.isRescaled()) {
            restoreAtBoundary(decisions.all(), parallelism);
            return;
        }
        long[] stored = state.get();
        if (context.isRestored() && stored.length >= 2) {
            decidedRound = stored[0];
            stopped = stored[1] != 0;
            for (int i = 2; i + SUMMARY_FIELDS <= stored.length; i += SUMMARY_FIELDS) {
                add(
                        new RoundSummary(
                                (int) stored[i],
                                (int) stored[i + 1],
                                (int) stored[i + 2],
                                stored[i + 3],
                                stored[i + 4]));
            }
        }
    }

    /**
     * At another parallelism, from a snapshot taken between two rounds: every old decider had
     * decided the same round, the last one before the snapshot, and heard nothing of the next (its
     * summaries come only once the next round has run). The split state of the undecided summaries,
     * dealt out by Flink, is then empty and not read.
     */
    private void restoreAtBoundary(List<long[]> old, int parallelism) {
        String operator = "round decider of variable '" + variable + "'";
        long[] first = null;
        for (long[] entry : old) {
            if (entry.length != 3
                    || entry[2] != 0
                    || (first != null && (entry[0] != first[0] || entry[1] != first[1]))) {
                throw CheckpointPreconditions.notRescalable(operator, old.size(), parallelism);
            }
            first = entry;
        }
        if (first != null) {
            decidedRound = first[0];
            stopped = first[1] != 0;
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        channel = FeedbackChannels.acquire(this, plan.getIterationId(), variable);
        if (decidedRound >= 0 && !headDecidesAlone) {
            // Restored: the head may not have applied this decision before the checkpoint.
            channel.put(new RoundDecision(decidedRound, stopped));
        }
        decideReadyRounds();
    }

    @Override
    public void processElement(StreamRecord<RoundSummary> element) {
        add(element.getValue());
        decideReadyRounds();
    }

    private void add(RoundSummary summary) {
        if (stopped || summary.round <= decidedRound) {
            return; // sent again by a restored tail
        }
        tallies.computeIfAbsent(summary.round, r -> new RoundTally(plan.getHeads())).add(summary);
    }

    private void decideReadyRounds() {
        while (!stopped && channel != null) {
            RoundTally tally = tallies.get(decidedRound + 1);
            if (tally == null || !tally.isComplete()) {
                return;
            }
            tallies.remove(decidedRound + 1);
            decidedRound++;
            stopped = plan.stopsAfter(decidedRound, tally.feedbackRecords);
            if (!headDecidesAlone) {
                channel.put(new RoundDecision(decidedRound, stopped));
            }
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<RoundSummary> undecided = new ArrayList<>();
        tallies.values().forEach(tally -> undecided.addAll(tally.summaries));
        long[] stored = new long[2 + undecided.size() * SUMMARY_FIELDS];
        stored[0] = decidedRound;
        stored[1] = stopped ? 1 : 0;
        int i = 2;
        for (RoundSummary summary : undecided) {
            stored[i++] = summary.variable;
            stored[i++] = summary.subtask;
            stored[i++] = summary.parallelism;
            stored[i++] = summary.round;
            stored[i++] = summary.feedbackRecords;
        }
        state.update(stored);
        decisionState.update(decidedRound, stopped ? 1 : 0, undecided.size());
    }

    @Override
    public void close() throws Exception {
        if (channel != null) {
            FeedbackChannels.release(this, plan.getIterationId(), variable);
            channel = null;
        }
        super.close();
    }

    /** The summaries of one round heard so far, at most one per tail subtask. */
    private static final class RoundTally {
        final List<RoundSummary> summaries = new ArrayList<>();
        final BitSet[] seen;
        long feedbackRecords;
        int incompleteVariables;

        RoundTally(int variables) {
            seen = new BitSet[variables];
            incompleteVariables = variables;
            for (int v = 0; v < variables; v++) {
                seen[v] = new BitSet();
            }
        }

        void add(RoundSummary summary) {
            BitSet subtasks = seen[summary.variable];
            if (subtasks.get(summary.subtask)) {
                return;
            }
            subtasks.set(summary.subtask);
            summaries.add(summary);
            feedbackRecords += summary.feedbackRecords;
            if (subtasks.cardinality() == summary.parallelism) {
                incompleteVariables--;
            }
        }

        boolean isComplete() {
            return incompleteVariables == 0;
        }
    }
}
