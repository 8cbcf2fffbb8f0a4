/**
 * The public API of Flink Iteration: what a job author writes against. {@link BoundedIteration} and
 * {@link UnboundedIteration} bind the streams that enter the loop and take an {@link
 * IterationBody}; the body reads its inputs from {@link IterationInputs} and answers with an {@link
 * IterationDeclaration} (feedback per variable, named outputs, and for a bounded iteration a {@link
 * TerminationCondition}). {@link IterationListener}, {@link RoundAwareProcessFunction} and {@link
 * OperatorLifecycle} let operators of the body follow the rounds, and {@link
 * IterationRuntimeContext} gives any function of the body its round and the per-round aggregators
 * ({@link Aggregators}, {@link IterationAggregator}). Delta iterations bind a {@link SolutionSet}
 * and join a workset with it through a {@link SolutionSetJoinFunction}. {@link
 * ConvergenceCriterion}, {@link IterationConfig} and {@link SpillOptions} are the options. {@link
 * ResultStreams} holds what the iteration emits. This package uses Flink's public API only, never
 * the runtime. README.md, section "Concepts", explains how to use it; docs/architecture.md, section
 * 1 "From body to job graph", explains what {@code apply()} does with it.
 */
package io.github.flinkiteration.api;
