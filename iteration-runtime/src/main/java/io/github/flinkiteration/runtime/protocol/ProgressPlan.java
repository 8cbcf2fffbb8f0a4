package io.github.flinkiteration.runtime.protocol;

import java.io.Serializable;

/**
 * What every coordinator and head of one iteration knows from graph-build time: the iteration's id,
 * the round limit, how many coordinated operators (heads and termination checks) take part, whether
 * rounds run in lock-step, and so who decides when a round ends.
 */
public final class ProgressPlan implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String iterationId;
    private final int maxRounds;
    private final int heads;
    private final int checks;
    private final boolean lockStep;
    private final int replays;

    /**
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
            int maxRounds,
            int heads,
            int checks,
            boolean lockStep,
            int replays) {
        this.iterationId = iterationId;
        this.maxRounds = maxRounds;
        this.heads = heads;
        this.checks = checks;
        this.lockStep = lockStep;
        this.replays = replays;
    }

    public String getIterationId() {
        return iterationId;
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

    public boolean isLockStep() {
        return lockStep;
    }

    public int getReplays() {
        return replays;
    }

    /**
     * Whether the iteration stops after {@code round} by the rules that need no termination check:
     * the round limit is reached, or the round fed nothing back.
     */
    public boolean stopsAfter(int round, long feedbackRecords) {
        return (maxRounds > 0 && round + 1 >= maxRounds) || feedbackRecords == 0;
    }

    /**
     * Whether a head subtask of the given parallelism sees everything the decision of a round
     * depends on: it is the only participant, so it can decide as the controller will. Not when
     * replay operators must hear each decision.
     */
    public boolean isDecidedByHead(int headParallelism) {
        return heads == 1 && checks == 0 && headParallelism == 1 && replays == 0;
    }

    /**
     * Whether {@code RoundDeciderOperator}s next to the heads decide the rounds, from the summaries
     * every tail sends them, instead of the coordinator on the JobManager: in lock-step iterations
     * whose decisions depend on the tails alone (no termination checks) and which no replay
     * operator must hear. The heads then report only the round they stop after.
     */
    public boolean isDecidedInDataPlane() {
        return lockStep && checks == 0 && replays == 0;
    }

    /** Whether a head of the given parallelism reports to the coordinator only its last round. */
    public boolean reportsOnlyLastRound(int headParallelism) {
        return isDecidedByHead(headParallelism) || isDecidedInDataPlane();
    }
}
