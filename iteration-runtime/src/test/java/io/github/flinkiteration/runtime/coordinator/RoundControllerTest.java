package io.github.flinkiteration.runtime.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.runtime.coordinator.IterationCoordinatorProvider.Role;
import io.github.flinkiteration.runtime.protocol.CheckReportEvent;
import io.github.flinkiteration.runtime.protocol.HoldingEvent;
import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import io.github.flinkiteration.runtime.protocol.ResumeEvent;
import io.github.flinkiteration.runtime.protocol.RoundDecisionEvent;
import io.github.flinkiteration.runtime.protocol.RoundReportEvent;
import io.github.flinkiteration.runtime.protocol.SnapshotHoldEvent;
import io.github.flinkiteration.runtime.protocol.TerminatedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.executiongraph.ExecutionGraphTestUtils;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.messages.Acknowledge;
import org.apache.flink.runtime.operators.coordination.CoordinatorStore;
import org.apache.flink.runtime.operators.coordination.CoordinatorStoreImpl;
import org.apache.flink.runtime.operators.coordination.MockOperatorCoordinatorContext;
import org.apache.flink.runtime.operators.coordination.OperatorCoordinator;
import org.apache.flink.runtime.operators.coordination.OperatorEvent;
import org.junit.jupiter.api.Test;

/**
 * The {@link RoundController}, driven as Flink drives it: through the {@link IterationCoordinator}s
 * of an iteration's heads, checks and replays, each with Flink's {@code
 * MockOperatorCoordinatorContext} over one shared coordinator store, and subtask gateways that
 * record what each subtask is sent.
 */
class RoundControllerTest {

    private static final String ID = "it";

    /** Unbounded, so the coordinator decides every round of a head of parallelism two. */
    private static final ProgressPlan UNBOUNDED = new ProgressPlan(ID, "test", 0, 1, 0, false, 0);

    private final CoordinatorStore store = new CoordinatorStoreImpl();

    @Test
    void aRoundIsDecidedOnceEveryHeadSubtaskReportedIt() throws Exception {
        Operator heads = start(UNBOUNDED, Role.HEAD, 2);
        heads.resumeAll(-1);

        heads.send(0, new RoundReportEvent(0, 3));
        assertThat(heads.received(0)).isEmpty();
        assertThat(heads.received(1)).isEmpty();

        heads.send(1, new RoundReportEvent(0, 0));
        assertThat(heads.received(0)).containsExactly("start 1");
        assertThat(heads.received(1)).containsExactly("start 1");
    }

    @Test
    void aReportSentAgainDoesNotStandInForAnotherSubtasksReport() throws Exception {
        Operator heads = start(UNBOUNDED, Role.HEAD, 2);
        heads.resumeAll(-1);

        heads.send(0, new RoundReportEvent(0, 3));
        heads.send(0, new RoundReportEvent(0, 3));
        assertThat(heads.received(0)).isEmpty();

        heads.send(1, new RoundReportEvent(0, 1));
        heads.send(0, new RoundReportEvent(1, 2));
        heads.send(0, new RoundReportEvent(1, 2));
        assertThat(heads.received(0)).containsExactly("start 1");
    }

    @Test
    void theIterationStopsAfterTheRoundLimitEvenWithFeedback() throws Exception {
        ProgressPlan twoRounds = new ProgressPlan(ID, "test", 2, 1, 0, false, 0);
        Operator heads = start(twoRounds, Role.HEAD, 2);
        AtomicInteger terminations = controlEnds(twoRounds);
        heads.resumeAll(-1);

        heads.reportAll(0, 5);
        assertThat(terminations).hasValue(0);
        heads.reportAll(1, 5);

        assertThat(heads.received(0)).containsExactly("start 1", "terminate max-rounds");
        assertThat(heads.received(1)).containsExactly("start 1", "terminate max-rounds");
        heads.terminatedAll();
        assertThat(terminations).as("the control sources are told to end").hasValue(1);
    }

    @Test
    void theControlSourcesEndOnlyOnceEveryHeadSubtaskAppliedTheTermination() throws Exception {
        Operator heads = start(UNBOUNDED, Role.HEAD, 2);
        AtomicInteger terminations = controlEnds(UNBOUNDED);
        heads.resumeAll(-1);
        heads.reportAll(0, 0);
        assertThat(heads.received(0)).containsExactly("terminate input-ended");

        heads.send(0, new TerminatedEvent());
        heads.send(0, new TerminatedEvent());
        assertThat(terminations).as("one head subtask, twice").hasValue(0);
        heads.send(1, new TerminatedEvent());
        assertThat(terminations).hasValue(1);

        // A control source reader that registers now is ended at once.
        AtomicInteger late = controlEnds(UNBOUNDED);
        assertThat(late).hasValue(1);
    }

    @Test
    void aRestoreForgetsWhichHeadsHadAppliedTheTermination() throws Exception {
        Operator heads = start(UNBOUNDED, Role.HEAD, 2);
        AtomicInteger terminations = controlEnds(UNBOUNDED);
        heads.resumeAll(-1);
        heads.reportAll(0, 0);
        heads.send(0, new TerminatedEvent());
        heads.failover();

        heads.send(0, new ResumeEvent(0, true));
        heads.send(1, new ResumeEvent(0, false));
        assertThat(heads.received(1)).containsExactly("terminate unknown");
        heads.send(1, new TerminatedEvent());
        assertThat(terminations).as("subtask 0 applied it before the restore only").hasValue(0);
        heads.send(0, new TerminatedEvent());
        assertThat(terminations).hasValue(1);
    }

    @Test
    void theIterationStopsAfterARoundThatFedNothingBack() throws Exception {
        Operator heads = start(UNBOUNDED, Role.HEAD, 2);
        heads.resumeAll(-1);

        heads.reportAll(0, 2);
        heads.reportAll(1, 0);

        assertThat(heads.received(0)).containsExactly("start 1", "terminate input-ended");
        assertThat(heads.received(1)).containsExactly("start 1", "terminate input-ended");
    }

    @Test
    void nothingIsDecidedBeforeEverySubtaskSaidWhereItStands() throws Exception {
        Operator heads = start(UNBOUNDED, Role.HEAD, 2);
        heads.send(0, new ResumeEvent(-1, false));
        heads.reportAll(0, 1);
        assertThat(heads.received(0)).isEmpty();

        heads.send(1, new ResumeEvent(-1, false));
        assertThat(heads.received(0)).containsExactly("start 1");
        assertThat(heads.received(1)).containsExactly("start 1");
    }

    @Test
    void afterARestoreHeadsBehindTheFurthestAreToldToStartItsRound() throws Exception {
        Operator heads = start(UNBOUNDED, Role.HEAD, 2);
        heads.resumeAll(-1);
        heads.reportAll(0, 1);
        heads.failover();

        // Subtask 0 had started round 3 before the checkpoint: round 2 was decided to go on.
        heads.send(0, new ResumeEvent(3, false));
        assertThat(heads.received(0)).isEmpty();
        heads.send(1, new ResumeEvent(2, false));

        assertThat(heads.received(0)).containsExactly("start 3");
        assertThat(heads.received(1)).containsExactly("start 3");

        // Last reports sent again, and subtask 1 completing round 2: all decided already.
        heads.send(0, new RoundReportEvent(2, 4));
        heads.send(1, new RoundReportEvent(1, 4));
        heads.send(1, new RoundReportEvent(2, 4));
        assertThat(heads.received(0)).containsExactly("start 3");

        heads.reportAll(3, 1);
        assertThat(heads.received(0)).containsExactly("start 3", "start 4");
        assertThat(heads.received(1)).containsExactly("start 3", "start 4");
    }

    @Test
    void aRestoredHeadThatHadStoppedEndsTheIteration() throws Exception {
        Operator heads = start(UNBOUNDED, Role.HEAD, 2);
        AtomicInteger terminations = controlEnds(UNBOUNDED);
        heads.resumeAll(-1);
        heads.failover();

        heads.send(1, new ResumeEvent(4, true));

        assertThat(heads.received(0)).containsExactly("terminate unknown");
        assertThat(heads.received(1)).containsExactly("terminate unknown");
        heads.terminatedAll();
        assertThat(terminations).hasValue(1);
    }

    @Test
    void anEmptinessCheckStopsTheIterationAfterAnEmptyRoundFromRoundOneOn() throws Exception {
        ProgressPlan withCheck = new ProgressPlan(ID, "test", 0, 1, 1, true, 0);
        Operator heads = start(withCheck, Role.HEAD, 2);
        Operator check = start(withCheck, Role.EMPTINESS_CHECK, 1);
        heads.resumeAll(-1);
        check.resumeAll(-1);

        heads.reportAll(0, 1);
        assertThat(heads.received(0)).as("the check has not reported round 0").isEmpty();
        check.send(0, new CheckReportEvent(0, 0, false));
        assertThat(heads.received(0)).containsExactly("start 1");

        heads.reportAll(1, 1);
        check.send(0, new CheckReportEvent(1, 0, false));
        assertThat(heads.received(0)).containsExactly("start 1", "terminate empty");
        assertThat(heads.received(1)).containsExactly("start 1", "terminate empty");
        assertThat(check.received(0)).as("checks hear no decision").isEmpty();
    }

    @Test
    void aConvergenceCheckThatHoldsStopsTheIteration() throws Exception {
        ProgressPlan withCheck = new ProgressPlan(ID, "test", 0, 1, 1, true, 0);
        Operator heads = start(withCheck, Role.HEAD, 2);
        Operator check = start(withCheck, Role.CONVERGENCE_CHECK, 1);
        heads.resumeAll(-1);
        check.resumeAll(-1);

        heads.reportAll(0, 1);
        check.send(0, new CheckReportEvent(0, 4, false));
        heads.reportAll(1, 1);
        check.send(0, new CheckReportEvent(1, 4, true));

        assertThat(heads.received(0)).containsExactly("start 1", "terminate converged");
    }

    @Test
    void whereDecidersDecideTheControllerHearsOnlyTheLastRoundAndStartsNone() throws Exception {
        ProgressPlan dataPlane = new ProgressPlan(ID, "test", 5, 1, 0, true, 0);
        Operator heads = start(dataPlane, Role.HEAD, 2);
        heads.resumeAll(-1);

        heads.send(0, new RoundReportEvent(4, 3));
        assertThat(heads.received(0)).isEmpty();
        heads.send(1, new RoundReportEvent(4, 1));

        assertThat(heads.received(0)).containsExactly("terminate max-rounds");
        assertThat(heads.received(1)).containsExactly("terminate max-rounds");
    }

    @Test
    void aReplayHearsEveryDecisionAndOneResumingLateTheLatestStart() throws Exception {
        ProgressPlan withConstant = new ProgressPlan(ID, "test", 0, 1, 0, true, 1);
        Operator heads = start(withConstant, Role.HEAD, 2);
        Operator replay = start(withConstant, Role.REPLAY, 2);
        heads.resumeAll(-1);
        replay.send(0, new ResumeEvent(-1, false));

        heads.reportAll(0, 1);
        assertThat(heads.received(0)).containsExactly("start 1");
        assertThat(replay.received(0)).containsExactly("start 1");
        assertThat(replay.received(1)).containsExactly("start 1");

        // Replay subtask 1 opens only now, restored from before round 1: it learns where to go.
        replay.send(1, new ResumeEvent(-1, false));
        assertThat(replay.received(1)).containsExactly("start 1", "start 1");
        assertThat(replay.received(0)).containsExactly("start 1");
    }

    @Test
    void aRescalableSnapshotWaitsUntilEveryHeadAndReplayHoldsAtTheSameRound() throws Exception {
        ProgressPlan rescalable =
                new ProgressPlan(ID, "test", 0, 1, 0, true, 1).withRescalableCheckpoints(true);
        Operator heads = start(rescalable, Role.HEAD, 2);
        Operator replay = start(rescalable, Role.REPLAY, 2);
        heads.resumeAll(-1);
        replay.resumeAll(-1);
        heads.reportAll(0, 1);

        CompletableFuture<byte[]> headsReady = new CompletableFuture<>();
        CompletableFuture<byte[]> replayReady = new CompletableFuture<>();
        heads.coordinator.checkpointCoordinator(7, headsReady);
        replay.coordinator.checkpointCoordinator(7, replayReady);
        assertThat(heads.received(0)).containsExactly("start 1", "hold 7");
        assertThat(replay.received(1)).containsExactly("start 1", "hold 7");

        // Head subtask 1 had not started round 1 when the hold reached it: it catches up.
        heads.send(0, new HoldingEvent(7, 1, false));
        heads.send(1, new HoldingEvent(7, 0, false));
        replay.send(0, new HoldingEvent(7, 1, false));
        replay.send(1, new HoldingEvent(7, 1, false));
        assertThat(heads.received(1)).containsExactly("start 1", "hold 7", "catch up to 1");
        assertThat(heads.received(0)).containsExactly("start 1", "hold 7");
        assertThat(headsReady).isNotDone();

        heads.send(1, new HoldingEvent(7, 1, false));
        assertThat(headsReady).isCompleted();
        assertThat(replayReady).isCompleted();

        // Round 1 ends before the barriers passed: its decision waits for the snapshot.
        heads.reportAll(1, 1);
        assertThat(replay.received(0)).containsExactly("start 1", "hold 7");
        heads.coordinator.notifyCheckpointComplete(7);
        assertThat(heads.received(0)).containsExactly("start 1", "hold 7", "release 7", "start 2");
        assertThat(replay.received(0)).containsExactly("start 1", "hold 7", "release 7", "start 2");
    }

    @Test
    void aSnapshotGivenUpBeforeTheHeadsHeldReleasesThemAndFailsOnlyThatSnapshot() throws Exception {
        ProgressPlan rescalable =
                new ProgressPlan(ID, "test", 0, 1, 0, true, 1).withRescalableCheckpoints(true);
        Operator heads = start(rescalable, Role.HEAD, 2);
        Operator replay = start(rescalable, Role.REPLAY, 1);
        heads.resumeAll(-1);
        replay.resumeAll(-1);

        CompletableFuture<byte[]> ready = new CompletableFuture<>();
        heads.coordinator.checkpointCoordinator(3, ready);
        heads.send(0, new HoldingEvent(3, 0, false));
        heads.reportAll(0, 1);
        assertThat(heads.received(0)).containsExactly("hold 3");

        heads.coordinator.notifyCheckpointAborted(3);
        assertThat(ready).isCompletedExceptionally();
        assertThat(heads.received(0)).containsExactly("hold 3", "release 3", "start 1");
        assertThat(replay.received(0)).containsExactly("hold 3", "release 3", "start 1");

        // The next checkpoint of this plan holds again.
        CompletableFuture<byte[]> next = new CompletableFuture<>();
        heads.coordinator.checkpointCoordinator(4, next);
        assertThat(heads.received(1)).endsWith("hold 4");
    }

    @Test
    void aCheckpointOfABoundedIterationIsNotHeldUnlessAskedFor() throws Exception {
        ProgressPlan bounded = new ProgressPlan(ID, "test", 0, 1, 0, true, 1);
        Operator heads = start(bounded, Role.HEAD, 2);
        heads.resumeAll(-1);

        CompletableFuture<byte[]> ready = new CompletableFuture<>();
        heads.coordinator.checkpointCoordinator(5, ready);
        assertThat(ready).isCompleted();
        assertThat(heads.received(0)).isEmpty();
    }

    /** Counts the times the iteration's control sources are told to end, from now on. */
    private AtomicInteger controlEnds(ProgressPlan plan) {
        AtomicInteger ends = new AtomicInteger();
        RoundController.of(store, plan).addTerminationListener(ends::incrementAndGet);
        return ends;
    }

    private Operator start(ProgressPlan plan, Role role, int parallelism) throws Exception {
        OperatorID operatorId = new OperatorID();
        OperatorCoordinator coordinator =
                new IterationCoordinatorProvider(operatorId, plan, role)
                        .create(new SharedStoreContext(operatorId, parallelism, store));
        Operator operator = new Operator(coordinator, parallelism);
        coordinator.start();
        operator.attach(0);
        return operator;
    }

    /** The subtasks of one coordinated operator: what they send and what reaches each. */
    private static final class Operator {
        private final OperatorCoordinator coordinator;
        private final List<List<String>> received = new ArrayList<>();
        private int attempt;

        Operator(OperatorCoordinator coordinator, int parallelism) {
            this.coordinator = coordinator;
            for (int i = 0; i < parallelism; i++) {
                received.add(new ArrayList<>());
            }
        }

        void attach(int attemptNumber) {
            attempt = attemptNumber;
            for (int i = 0; i < received.size(); i++) {
                coordinator.executionAttemptReady(
                        i, attempt, new RecordingGateway(i, received.get(i)));
            }
        }

        /** Every subtask fails, the job restarts from a checkpoint, new attempts come up. */
        void failover() throws Exception {
            for (int i = 0; i < received.size(); i++) {
                coordinator.executionAttemptFailed(i, attempt, new RuntimeException("failover"));
                received.get(i).clear();
            }
            coordinator.resetToCheckpoint(1, new byte[0]);
            attach(attempt + 1);
        }

        void send(int subtask, OperatorEvent event) throws Exception {
            coordinator.handleEventFromOperator(subtask, attempt, event);
        }

        void resumeAll(int round) throws Exception {
            for (int i = 0; i < received.size(); i++) {
                send(i, new ResumeEvent(round, false));
            }
        }

        /** Every subtask says it applied the termination. */
        void terminatedAll() throws Exception {
            for (int i = 0; i < received.size(); i++) {
                send(i, new TerminatedEvent());
            }
        }

        void reportAll(int round, long feedbackRecordsEach) throws Exception {
            for (int i = 0; i < received.size(); i++) {
                send(i, new RoundReportEvent(round, feedbackRecordsEach));
            }
        }

        List<String> received(int subtask) {
            return received.get(subtask);
        }
    }

    private static final class RecordingGateway implements OperatorCoordinator.SubtaskGateway {
        private final int subtask;
        private final List<String> received;
        private final ExecutionAttemptID execution =
                ExecutionGraphTestUtils.createExecutionAttemptId();

        RecordingGateway(int subtask, List<String> received) {
            this.subtask = subtask;
            this.received = received;
        }

        @Override
        public CompletableFuture<Acknowledge> sendEvent(OperatorEvent event) {
            if (event instanceof SnapshotHoldEvent hold) {
                received.add(
                        hold.isRelease()
                                ? "release " + hold.getCheckpointId()
                                : hold.getUpToRound() == SnapshotHoldEvent.WHERE_IT_STANDS
                                        ? "hold " + hold.getCheckpointId()
                                        : "catch up to " + hold.getUpToRound());
                return CompletableFuture.completedFuture(Acknowledge.get());
            }
            RoundDecisionEvent decision = (RoundDecisionEvent) event;
            received.add(
                    decision.isTerminate()
                            ? "terminate " + decision.getReason()
                            : "start " + decision.getNextRound());
            return CompletableFuture.completedFuture(Acknowledge.get());
        }

        @Override
        public ExecutionAttemptID getExecution() {
            return execution;
        }

        @Override
        public int getSubtask() {
            return subtask;
        }
    }

    /** Flink's mock context, but every coordinator of the job sees the same store. */
    private static final class SharedStoreContext extends MockOperatorCoordinatorContext {
        private final CoordinatorStore store;

        SharedStoreContext(OperatorID operatorId, int parallelism, CoordinatorStore store) {
            super(operatorId, parallelism);
            this.store = store;
        }

        @Override
        public CoordinatorStore getCoordinatorStore() {
            return store;
        }
    }
}
