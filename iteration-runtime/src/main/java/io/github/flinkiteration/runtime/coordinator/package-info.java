/**
 * Round coordination on the JobManager and the control input of the loop. The {@code
 * RoundController}, one per iteration in the job's coordinator store, decides when each round ends
 * and whether another follows; each head, termination check and replay has an {@code
 * IterationCoordinator} (created by {@link IterationCoordinatorProvider}) that passes reports to it
 * and delivers its decisions. {@link IterationControlSource} (with {@code ControlEnumerator},
 * {@code ControlReader} and {@link ControlSplit}) emits nothing and ends when the iteration
 * terminates, which keeps heads and replays alive until then. {@link ControlledEntryOperator} is
 * the base of those two-input entry operators, and {@link ParticipantOperatorFactory} creates a
 * head, replay or check together with its coordinator without knowing the concrete operator. See
 * docs/architecture.md, section 3 "Feedback and the round protocol" (step 4), section 4
 * "Termination" (job scope) and section 7 "Checkpoints" (the controller checkpoints nothing).
 */
package io.github.flinkiteration.runtime.coordinator;
