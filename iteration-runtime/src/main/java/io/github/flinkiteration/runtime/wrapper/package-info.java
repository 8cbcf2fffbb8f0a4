/**
 * Round wrappers: how an ordinary Flink operator runs inside the loop. {@link
 * RoundWrapperOperatorFactory} creates, for each body operator, a wrapper (one-input, two-input or
 * multiple-input, all built on {@code AbstractRoundWrapper}) that unwraps incoming iteration
 * records, tags what the operator emits with the current round ({@code RoundTaggingOutput}),
 * follows the round watermark over all inputs and calls the listener callbacks in round order; in
 * lock-step it holds records of a later round that come early ({@code EarlyRecords}, spilled beyond
 * a limit). {@link InputWrapOperator} brings a data stream into round 0 and {@link
 * OutputUnwrapOperator} takes an output out of the loop. {@link ValueKeySelector} and {@link
 * ValuePartitioner} let the user's keys and partitioners read the value inside a record. See
 * docs/architecture.md, section 1 "From body to job graph" and section 2 "Records and round
 * watermarks".
 */
package io.github.flinkiteration.runtime.wrapper;
