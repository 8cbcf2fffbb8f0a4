package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import io.github.flinkiteration.runtime.protocol.RoundDecision;

/**
 * The head is the iteration's only participant (one variable, parallelism 1, no termination checks,
 * no constants): it knows all the coordinator would know, so it decides each round at once by
 * {@link ProgressPlan#stopsAfter} instead of waiting a round trip to the JobManager. It reports
 * only the round it stops after, so that the coordinator ends the control source.
 */
final class HeadDecidesRounds implements RoundDecisionStrategy {

    private final ProgressPlan plan;
    private final HeadOperator<?> head;

    HeadDecidesRounds(ProgressPlan plan, HeadOperator<?> head) {
        this.plan = plan;
        this.head = head;
    }

    @Override
    public void resume(long reportedRound, long reportedFeedback) throws Exception {
        if (reportedRound >= 0
                && reportedRound == head.emittedRound()
                && head.resumeRound() == head.emittedRound()
                && !head.isTerminated()) {
            // The snapshot was taken while this head held a decided round back (a rescalable
            // snapshot): the decision is taken again. Not after a restore at another parallelism
            // from heads in different rounds: an old head had started the next round, so the
            // decision was to go on, and the coordinator restarts that round here.
            roundComplete(reportedRound, reportedFeedback);
        }
    }

    @Override
    public void roundComplete(long round, long feedbackRecords) throws Exception {
        head.applyDecision(new RoundDecision(round, plan.stopsAfter(round, feedbackRecords)));
    }

    @Override
    public void afterRoundsComplete() {}

    @Override
    public void onDeciderDecision(RoundDecision decision) {
        // The decider next to a head that decides alone sends nothing (its graph has a decider
        // only so that the same job may run at another parallelism).
    }

    @Override
    public void onCoordinatorStart(long round) throws Exception {
        // The coordinator decides alike, one round trip later, and so sends nothing while the job
        // runs. It does after a restore at another parallelism: the old heads had started a later
        // round than the one this head goes on from (see HeadOperator#rescaleFrom).
        if (round > head.emittedRound()) {
            head.startRound(round);
        }
    }
}
