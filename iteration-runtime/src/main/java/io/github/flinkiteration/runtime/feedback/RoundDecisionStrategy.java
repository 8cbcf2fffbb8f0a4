package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import io.github.flinkiteration.runtime.protocol.RoundDecision;

/**
 * Who decides, at a head, what follows a round: the coordinator on the JobManager ({@link
 * CoordinatorDecidesRounds}), the co-located round decider ({@link DeciderDecidesRounds}), or the
 * head itself ({@link HeadDecidesRounds}). {@link #choose} picks one, once, by the rules of {@link
 * ProgressPlan}; the head then never asks again which way applies.
 *
 * <p>Whatever the strategy, a coordinator's decision to terminate ends the head: it is how the
 * coordinator ends an iteration that a termination check stopped, and how it answers a head that
 * reported its last round.
 */
interface RoundDecisionStrategy {

    static RoundDecisionStrategy choose(ProgressPlan plan, int parallelism, HeadOperator<?> head) {
        if (plan.isDecidedByHead(parallelism)) {
            return new HeadDecidesRounds(plan, head);
        }
        if (plan.isDecidedInDataPlane()) {
            return new DeciderDecidesRounds(head);
        }
        return new CoordinatorDecidesRounds(head);
    }

    /**
     * The head has restored its progress; {@code reportedRound} is the last round it reported
     * complete (-1 if none), with {@code reportedFeedback} records fed back into the next.
     */
    void resume(long reportedRound, long reportedFeedback) throws Exception;

    /**
     * Round {@code round} is complete at this subtask and {@code feedbackRecords} records entered
     * the next. Called once per round, in order.
     */
    void roundComplete(long round, long feedbackRecords) throws Exception;

    /** Every round complete here went through {@link #roundComplete}: apply what waited for it. */
    void afterRoundsComplete() throws Exception;

    /** The co-located round decider's decision came through the feedback channel. */
    void onDeciderDecision(RoundDecision decision);

    /** The coordinator decided to start {@code round}. */
    void onCoordinatorStart(long round) throws Exception;
}
