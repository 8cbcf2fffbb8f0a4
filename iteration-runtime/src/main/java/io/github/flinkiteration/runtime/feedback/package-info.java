/**
 * The feedback edge of a variable: where it enters the body and where it comes back. {@link
 * HeadOperator} brings the initial stream into round 0 and releases feedback round by round; {@link
 * TailOperator} moves each fed-back record to the next round and hands it, with round markers,
 * through the in-process {@link FeedbackChannel} (found through {@link FeedbackChannels}) to the
 * head of the same subtask. The channel never makes the tail wait: beyond its heap limits ({@code
 * HandoffSpill}) it spills chunks to a {@code HandoffSpillFile} that the head reads back at its
 * pace. A tail chained into its head's task writes free-flowing feedback into {@code OpenChunks}
 * too, and puts them when the head takes feedback. The head delegates two choices, each made once
 * from the iteration's progress plan: a {@code FeedbackPacing} ({@code LockStepPacing} holds
 * feedback until its round starts, each round in a {@code HeldRound} of managed memory that spills
 * to disk, and emits it in slices; {@code FreeFlowPacing} passes it on at once) and a {@code
 * RoundDecisionStrategy} (the coordinator, the co-located {@link RoundDeciderOperator}, or the head
 * itself decides each round). {@link TailChaining} decides whether a tail joins its head's chain,
 * the chain of the operator that produces its feedback (co-located with the head), or none, and
 * {@link RegionLinkOperator} keeps head and tail in one pipelined region when feedback is
 * crosswise. See docs/architecture.md, section 3 "Feedback and the round protocol" (with "Why no
 * loop deadlocks"), and section 7 "Checkpoints" for the channel's share of a checkpoint.
 */
package io.github.flinkiteration.runtime.feedback;
