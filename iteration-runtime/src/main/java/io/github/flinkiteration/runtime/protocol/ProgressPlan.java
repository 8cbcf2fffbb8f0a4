package io.github.flinkiteration.runtime.protocol;

import java.io.Serializable;
import org.apache.flink.metrics.MetricGroup;

/**
 * What every coordinator and head of one iteration knows from graph-build time: the iteration's id
 * and name, the round limit, how many coordinated operators (heads and termination checks) take
 * part, whether rounds run in lock-step, and so who decides when a round ends.
 */
public final class ProgressPlan implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The key of the metric group an iteration's operators register their metrics in. */
    public static final String METRIC_GROUP = "iteration";

    private final String iterationId;
    private final String name;
    private final int maxRounds;
    private final int heads;
    private final int checks;
    private final boolean lockStep;
    private final boolean bounded;
    private final int replays;
    private final boolean lastFeedbackEntersBody;
    private final AggregationPlan aggregation;
    private final boolean everyCheckpointRescalable;

    /**
     * @param iterationId unique per iteration built, keys the coordinator and feedback channels
     * @param name the iteration's name, shown in metrics and logs
     * @param maxRounds the round limit, or 0 for none
     * @param heads the number of head operators (one per variable)
     * @param checks the number of termination-check operators
     * @param lockStep whether records of round {@code r + 1} wait until round {@code r} has ended
     *     (bounded iterations) or flow at once (unbounded ones)
     * @param replays the number of replay operators (one per constant), which hear the decisions
     *     but report nothing
     */
    public ProgressPlan(
            String iterationId,
            String name,
            int maxRounds,
            int heads,
            int checks,
            boolean lockStep,
            int replays) {
        this(iterationId, name, maxRounds, heads, checks, lockStep, replays, false);
    }

    /**
     * As {@link #ProgressPlan(String, String, int, int, int, boolean, int)}, and:
     *
     * @param lastFeedbackEntersBody whether the heads of a lock-step iteration let the feedback of
     *     the last round into the body when the iteration ends, instead of dropping it
     */
    public ProgressPlan(
            String iterationId,
            String name,
            int maxRounds,
            int heads,
            int checks,
            boolean lockStep,
            int replays,
            boolean lastFeedbackEntersBody) {
        this(
                iterationId,
                name,
                maxRounds,
                heads,
                checks,
                lockStep,
                replays,
                lastFeedbackEntersBody,
                lockStep,
                null,
                false);
    }

    private ProgressPlan(
            String iterationId,
            String name,
            int maxRounds,
            int heads,
            int checks,
            boolean lockStep,
            int replays,
            boolean lastFeedbackEntersBody,
            boolean bounded,
            AggregationPlan aggregation,
            boolean everyCheckpointRescalable) {
        this.aggregation = aggregation;
        this.bounded = bounded;
        this.everyCheckpointRescalable = lockStep && everyCheckpointRescalable;
        this.iterationId = iterationId;
        this.name = name;
        this.maxRounds = maxRounds;
        this.heads = heads;
        this.checks = checks;
        this.lockStep = lockStep;
        this.replays = replays;
        this.lastFeedbackEntersBody = lockStep && lastFeedbackEntersBody;
    }

    /**
     * This plan with aggregators: every body operator then reports its partial aggregates each
     * round, so the coordinator decides every round (no round deciders, no lone head).
     */
    public ProgressPlan withAggregation(AggregationPlan aggregation) {
        return new ProgressPlan(
                iterationId,
                name,
                maxRounds,
                heads,
                checks,
                lockStep,
                replays,
                lastFeedbackEntersBody,
                bounded,
                aggregation,
                everyCheckpointRescalable);
    }

    /**
     * This plan with every checkpoint of a lock-step iteration taken between two rounds, not only
     * its savepoints, so that a restart from a checkpoint may change the parallelism.
     */
    public ProgressPlan withRescalableCheckpoints(boolean rescalable) {
        return new ProgressPlan(
                iterationId,
                name,
                maxRounds,
                heads,
                checks,
                lockStep,
                replays,
                lastFeedbackEntersBody,
                bounded,
                aggregation,
                rescalable);
    }

    /**
     * Whether the heads of this lock-step iteration hold for every checkpoint until it passed, as
     * they do for savepoints, so that every checkpoint can be restored at another parallelism.
     */
    public boolean isEveryCheckpointRescalable() {
        return everyCheckpointRescalable;
    }

    /**
     * This plan of a bounded iteration with its rounds not held: feedback enters the body as it
     * comes, as in an unbounded iteration, and the rounds still end, and the iteration with them,
     * by the same rules. For bodies in which no operator can observe a round boundary.
     */
    public ProgressPlan withFreeFlow() {
        if (!bounded || aggregation != null || checks > 0 || replays > 0) {
            throw new IllegalStateException(
                    "Only a bounded iteration without termination checks, constants or"
                            + " aggregators can let its rounds flow freely: "
                            + name);
        }
        return new ProgressPlan(
                iterationId,
                name,
                maxRounds,
                heads,
                checks,
                false,
                replays,
                false,
                true,
                null,
                false);
    }

    /** The aggregators, or {@code null} when the iteration declares none. */
    public AggregationPlan getAggregation() {
        return aggregation;
    }

    public String getIterationId() {
        return iterationId;
    }

    /** The iteration's name, e.g. {@code iteration[model]}. */
    public String getName() {
        return name;
    }

    /**
     * The group of an operator's iteration metrics: a key/value group, so reporters with labels
     * show {@code iteration="<name>"} and the web UI shows {@code iteration.<name>.<metric>}.
     */
    public MetricGroup metricGroup(MetricGroup operatorGroup) {
        return operatorGroup.addGroup(METRIC_GROUP, name);
    }

    public int getMaxRounds() {
        return maxRounds;
    }

    /** The number of head and termination-check operators, which report to the coordinator. */
    public int getParticipants() {
        return heads + checks;
    }

    public int getHeads() {
        return heads;
    }

    /** Whether heads hold each round's feedback until the round starts. */
    public boolean isLockStep() {
        return lockStep;
    }

    /**
     * Whether the iteration is bounded: in lock-step, or with free-flowing rounds ({@link
     * #withFreeFlow}).
     */
    public boolean isBounded() {
        return bounded;
    }

    public int getReplays() {
        return replays;
    }

    /** Whether the last round's feedback enters the body at termination (lock-step only). */
    public boolean isLastFeedbackEnteringBody() {
        return lastFeedbackEntersBody;
    }

    /**
     * Whether the iteration stops after {@code round} by the rules that need no termination check:
     * the round limit is reached, or the round fed nothing back.
     */
    public boolean stopsAfter(long round, long feedbackRecords) {
        return stopReason(round, feedbackRecords) != TerminationReason.RUNNING;
    }

    /**
     * Why {@link #stopsAfter} stops after {@code round}: the round limit first, then the lack of
     * feedback; {@link TerminationReason#RUNNING} if it does not stop.
     */
    public TerminationReason stopReason(long round, long feedbackRecords) {
        if (maxRounds > 0 && round + 1 >= maxRounds) {
            return TerminationReason.MAX_ROUNDS;
        }
        if (feedbackRecords == 0) {
            return bounded ? TerminationReason.NO_FEEDBACK : TerminationReason.INPUT_ENDED;
        }
        return TerminationReason.RUNNING;
    }

    /**
     * Why {@link #stopsAfter} stopped after {@code round}, for a decision that does not carry the
     * feedback count (a round decider's): if not the round limit, the round fed nothing back.
     */
    public TerminationReason stopReason(long round) {
        return stopReason(round, 0);
    }

    /**
     * Whether a head subtask of the given parallelism sees everything the decision of a round
     * depends on: it is the only participant, so it can decide as the controller will. Not when
     * replay operators must hear each decision.
     */
    public boolean isDecidedByHead(int headParallelism) {
        return heads == 1
                && checks == 0
                && headParallelism == 1
                && replays == 0
                && aggregation == null;
    }

    /**
     * Whether {@code RoundDeciderOperator}s next to the heads decide the rounds, from the summaries
     * every tail sends them, instead of the coordinator on the JobManager: in lock-step iterations
     * whose decisions depend on the tails alone (no termination checks) and which no replay
     * operator must hear. The heads then report only the round they stop after.
     */
    public boolean isDecidedInDataPlane() {
        return lockStep && checks == 0 && replays == 0 && aggregation == null;
    }

    /** Whether a head of the given parallelism reports to the coordinator only its last round. */
    public boolean reportsOnlyLastRound(int headParallelism) {
        return isDecidedByHead(headParallelism) || isDecidedInDataPlane();
    }
}
