/**
 * The vocabulary of the round protocol: plain values that heads, tails, deciders, checks and the
 * coordinator exchange. {@link ProgressPlan} is what every participant knows from build time,
 * including the rule that stops an iteration and who decides the rounds. The events go between
 * subtasks and their coordinators: {@link RoundReportEvent}, {@link CheckReportEvent}, {@link
 * ResumeEvent}, {@link HoldingEvent} and {@link TerminatedEvent} up, {@link RoundDecisionEvent} and
 * {@link SnapshotHoldEvent} down. A feedback channel carries the sealed {@link FeedbackItem}:
 * {@link RoundFeedback} (a single {@link FeedbackRecord} or a chunk of {@link SerializedFeedback}),
 * {@link RoundMarker} and {@link RoundDecision}; {@link FeedbackItemCodec} writes items into
 * checkpoints. {@link RoundSummary} is what a tail sends to the round deciders. See
 * docs/architecture.md, section 3 "Feedback and the round protocol".
 */
package io.github.flinkiteration.runtime.protocol;
