/**
 * The per-round lifecycle: operators created afresh for every round. A {@link PerRoundHost}
 * (one-input or two-input) stands in the round wrapper for such an operator: it owns the state
 * backends and, every round, builds a new instance from a copy of the operator's factory. The
 * instance gets its state through {@code PerRoundStateInitializer} as round-scoped views ({@link
 * RoundScopedKeyedStateBackend}, {@link RoundScopedOperatorStateBackend}) that note every state it
 * registers in the {@link PerRoundStateRegistry}, so that the end of the round can empty them; its
 * processing-time timers run through {@code RoundScopedProcessingTimeService}, which cancels them
 * when the round ends. See docs/architecture.md, section 6a "Per-round operators".
 */
package io.github.flinkiteration.runtime.perround;
