package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.runtime.protocol.RoundFeedback;

/**
 * When a head passes feedback into the body: held until its round starts ({@link LockStepPacing},
 * bounded iterations) or at once ({@link FreeFlowPacing}, unbounded ones). Chosen once, from the
 * iteration's {@code ProgressPlan}; each pacing owns the part of the head's checkpoint that depends
 * on it.
 */
interface FeedbackPacing {

    /** Feedback arrived from the tail; returns whether it was passed on at once. */
    boolean onFeedback(RoundFeedback feedback) throws Exception;

    /** How many feedback records entered {@code round}; asked once per round, in order. */
    long feedbackFor(int round);

    /** Emits what waits for {@code round}, which starts now. */
    void startRound(int round) throws Exception;

    /** Forgets all feedback: the iteration has ended. */
    void clear();

    void snapshot() throws Exception;
}
