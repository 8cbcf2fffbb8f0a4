package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.runtime.protocol.RoundDecision;

/**
 * The co-located {@link RoundDeciderOperator} decides each round from every tail's summary and puts
 * its decision into this head's feedback channel. A decision may come before the round is complete
 * here, or twice (a decider sends its last one again after a restore): the head applies it once the
 * round is complete at its own subtask, and only if it is about the round running now. The
 * coordinator hears only the round the head stops after.
 */
final class DeciderDecidesRounds implements RoundDecisionStrategy {

    private final HeadOperator<?> head;

    /** The latest decision of the decider, until it applies here. */
    private RoundDecision waiting;

    DeciderDecidesRounds(HeadOperator<?> head) {
        this.head = head;
    }

    @Override
    public void resume(long reportedRound, long reportedFeedback) {}

    @Override
    public void roundComplete(long round, long feedbackRecords) {}

    @Override
    public void onDeciderDecision(RoundDecision decision) {
        if (waiting == null || decision.round > waiting.round) {
            waiting = decision;
        }
    }

    @Override
    public void afterRoundsComplete() throws Exception {
        if (waiting != null && !head.isTerminated() && waiting.round <= head.reportedRound()) {
            RoundDecision ready = waiting;
            waiting = null;
            if (ready.round == head.emittedRound()) {
                head.applyDecision(ready);
            }
            // Otherwise it was applied before a checkpoint and handed over again after it.
        }
    }

    @Override
    public void onCoordinatorStart(long round) {
        // The coordinator only ends this head's iteration.
    }
}
