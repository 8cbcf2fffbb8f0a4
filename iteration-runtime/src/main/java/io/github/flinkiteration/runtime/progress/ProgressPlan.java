package io.github.flinkiteration.runtime.progress;

import java.io.Serializable;

/**
 * What every coordinator and head of one iteration knows from graph-build time: the iteration's id,
 * the round limit, how many coordinated operators (heads and termination checks) take part, and
 * whether rounds run in lock-step.
 */
public final class ProgressPlan implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String iterationId;
    private final int maxRounds;
    private final int participants;
    private final boolean lockStep;
    private final int replays;

    /**
     * @param maxRounds the round limit, or 0 for none
     * @param participants the number of head and termination-check operators
     * @param lockStep whether records of round {@code r + 1} wait until round {@code r} has ended
     *     (bounded iterations) or flow at once (unbounded ones)
     * @param replays the number of replay operators (one per constant), which hear the decisions
     *     but report nothing
     */
    public ProgressPlan(
            String iterationId, int maxRounds, int participants, boolean lockStep, int replays) {
        this.iterationId = iterationId;
        this.maxRounds = maxRounds;
        this.participants = participants;
        this.lockStep = lockStep;
        this.replays = replays;
    }

    public String getIterationId() {
        return iterationId;
    }

    public int getMaxRounds() {
        return maxRounds;
    }

    public int getParticipants() {
        return participants;
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
        return participants == 1 && headParallelism == 1 && replays == 0;
    }
}
