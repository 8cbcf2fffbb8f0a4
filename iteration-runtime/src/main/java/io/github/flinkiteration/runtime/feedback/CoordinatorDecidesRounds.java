package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.runtime.protocol.RoundDecision;

/**
 * The coordinator decides every round: the head reports each round complete at its subtask and
 * starts the rounds the coordinator tells it to. Used when the decision needs what only the
 * coordinator hears (termination checks) or must reach replay operators too.
 */
final class CoordinatorDecidesRounds implements RoundDecisionStrategy {

    private final HeadOperator<?> head;

    CoordinatorDecidesRounds(HeadOperator<?> head) {
        this.head = head;
    }

    @Override
    public void resume(long reportedRound, long reportedFeedback) {
        if (reportedRound >= 0) {
            // The coordinator may not have heard it before the checkpoint; it counts it once.
            head.reportRound(reportedRound, reportedFeedback);
        }
    }

    @Override
    public void roundComplete(long round, long feedbackRecords) {
        head.reportRound(round, feedbackRecords);
    }

    @Override
    public void afterRoundsComplete() {}

    @Override
    public void onDeciderDecision(RoundDecision decision) {
        throw new IllegalStateException(
                "No round decider runs next to a head whose rounds the coordinator decides; got "
                        + decision);
    }

    @Override
    public void onCoordinatorStart(long round) throws Exception {
        if (round > head.emittedRound()) {
            head.startRound(round);
        }
    }
}
