/**
 * Termination checks of bounded iterations. A {@link TerminationCheckOperator} watches the
 * reference stream of one {@code whenEmpty} or {@code whenConverged} condition and reports each
 * round to the coordinator: an emptiness check counts records at the stream's parallelism, a
 * convergence check gathers the round's records on one subtask and evaluates the criterion there.
 * {@code TerminationCheckOperator.factory} creates the operator together with its coordinator. See
 * docs/architecture.md, section 4 "Termination".
 */
package io.github.flinkiteration.runtime.termination;
