package io.github.flinkiteration.runtime.coordinator;

import io.github.flinkiteration.runtime.coordinator.IterationCoordinatorProvider.Role;
import io.github.flinkiteration.runtime.protocol.AggregateReportEvent;
import io.github.flinkiteration.runtime.protocol.AggregatesRequest;
import io.github.flinkiteration.runtime.protocol.CheckReportEvent;
import io.github.flinkiteration.runtime.protocol.HoldingEvent;
import io.github.flinkiteration.runtime.protocol.ParticipantEvent;
import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import io.github.flinkiteration.runtime.protocol.ResumeEvent;
import io.github.flinkiteration.runtime.protocol.RoundReportEvent;
import io.github.flinkiteration.runtime.protocol.TerminatedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.runtime.checkpoint.CheckpointCoordinator;
import org.apache.flink.runtime.checkpoint.PendingCheckpoint;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.coordination.CoordinationRequest;
import org.apache.flink.runtime.operators.coordination.CoordinationRequestHandler;
import org.apache.flink.runtime.operators.coordination.CoordinationResponse;
import org.apache.flink.runtime.operators.coordination.OperatorCoordinator;
import org.apache.flink.runtime.operators.coordination.OperatorEvent;

/**
 * The coordinator of one head, termination-check or replay operator. It passes its subtasks'
 * reports to the iteration's {@link RoundController}, shared through the job's coordinator store,
 * and delivers the controller's decisions to its head and replay subtasks. For a body operator of
 * an iteration with aggregators it passes partial aggregates on and answers requests for the global
 * ones.
 *
 * <p>Flink calls every coordinator of a job from the JobMaster's main thread, so the controller
 * sees one report at a time and may send through any coordinator's gateways.
 */
final class IterationCoordinator implements OperatorCoordinator, CoordinationRequestHandler {

    private final Context context;
    private final ProgressPlan plan;
    private final Role role;
    private final SubtaskGateway[] gateways;

    /** Decisions for subtasks that were not running yet, in order. */
    private final List<List<OperatorEvent>> undelivered = new ArrayList<>();

    private RoundController controller;

    IterationCoordinator(Context context, ProgressPlan plan, Role role) {
        this.context = context;
        this.plan = plan;
        this.role = role;
        this.gateways = new SubtaskGateway[context.currentParallelism()];
        for (int i = 0; i < gateways.length; i++) {
            undelivered.add(new ArrayList<>());
        }
    }

    OperatorID getOperatorId() {
        return context.getOperatorId();
    }

    Role getRole() {
        return role;
    }

    int getParallelism() {
        return gateways.length;
    }

    @Override
    public void start() {
        controller = RoundController.of(context.getCoordinatorStore(), plan);
        controller.register(this);
    }

    @Override
    public void handleEventFromOperator(int subtask, int attemptNumber, OperatorEvent event) {
        if (!(event instanceof ParticipantEvent)) {
            throw new IllegalArgumentException("Unexpected event " + event);
        }
        ((ParticipantEvent) event).deliverTo(toController, subtask);
    }

    /** Passes each kind of event to the controller, naming this coordinator as its sender. */
    private final ParticipantEvent.Receiver toController =
            new ParticipantEvent.Receiver() {
                @Override
                public void onResume(int subtask, ResumeEvent event) {
                    controller.onResume(IterationCoordinator.this, subtask, event);
                }

                @Override
                public void onRoundReport(int subtask, RoundReportEvent event) {
                    controller.onReport(IterationCoordinator.this, subtask, event);
                }

                @Override
                public void onCheckReport(int subtask, CheckReportEvent event) {
                    controller.onReport(IterationCoordinator.this, subtask, event);
                }

                @Override
                public void onAggregateReport(int subtask, AggregateReportEvent event) {
                    controller.onReport(IterationCoordinator.this, subtask, event);
                }

                @Override
                public void onHolding(int subtask, HoldingEvent event) {
                    controller.onHolding(IterationCoordinator.this, subtask, event);
                }

                @Override
                public void onTerminated(int subtask, TerminatedEvent event) {
                    controller.onTerminated(IterationCoordinator.this, subtask);
                }
            };

    @Override
    public CompletableFuture<CoordinationResponse> handleCoordinationRequest(
            CoordinationRequest request) {
        if (!(request instanceof AggregatesRequest)) {
            return CompletableFuture.failedFuture(
                    new IllegalArgumentException("Unexpected request " + request));
        }
        return controller.requestAggregates(((AggregatesRequest) request).getRound());
    }

    /** Sends {@code event} to every subtask of this operator. */
    void sendToSubtasks(OperatorEvent event) {
        for (int i = 0; i < gateways.length; i++) {
            sendToSubtask(i, event);
        }
    }

    /**
     * Sends {@code event} to one subtask; if that subtask is not running yet (a replay operator off
     * the loop's path, or any subtask right after a restore), it gets the event when it is.
     */
    void sendToSubtask(int subtask, OperatorEvent event) {
        if (gateways[subtask] == null) {
            undelivered.get(subtask).add(event);
        } else {
            gateways[subtask].sendEvent(event);
        }
    }

    @Override
    public void executionAttemptReady(int subtask, int attemptNumber, SubtaskGateway gateway) {
        gateways[subtask] = gateway;
        for (OperatorEvent event : undelivered.get(subtask)) {
            gateway.sendEvent(event);
        }
        undelivered.get(subtask).clear();
    }

    @Override
    public void executionAttemptFailed(int subtask, int attemptNumber, Throwable reason) {
        gateways[subtask] = null;
    }

    /**
     * A restarted subtask resumes from a checkpoint or from the beginning; the controller forgets
     * its progress and relearns it from the subtasks (see {@link RoundController}).
     */
    @Override
    public void subtaskReset(int subtask, long checkpointId) {
        undelivered.get(subtask).clear();
        if (controller != null) {
            controller.reset();
        }
    }

    /**
     * Nothing to store: round progress is restored from the subtasks' state. A savepoint of a
     * bounded iteration (every checkpoint, when it asked for rescalable checkpoints) waits until
     * the heads hold between two rounds, so that it can be restored at another parallelism. A job
     * without periodic checkpoints has its savepoints taken at-least-once (Flink does not align
     * barriers then), which would cut the loop inconsistently; refusing here fails the savepoint
     * alone, before any task snapshots, while the job runs on. The heads refuse such a snapshot
     * too, as a last guard.
     */
    @Override
    public void checkpointCoordinator(long checkpointId, CompletableFuture<byte[]> result) {
        CheckpointCoordinator checkpoints = context.getCheckpointCoordinator();
        if (checkpoints != null && !checkpoints.isPeriodicCheckpointingConfigured()) {
            result.completeExceptionally(
                    new IllegalStateException(
                            "Savepoint "
                                    + checkpointId
                                    + " refused by iteration "
                                    + plan.getName()
                                    + ": the job runs without checkpointing, so Flink takes its"
                                    + " savepoints at-least-once, without aligning barriers, and"
                                    + " the feedback going round the loop would be cut"
                                    + " inconsistently. Enable checkpointing, for example"
                                    + " env.enableCheckpointing(60_000) or"
                                    + " execution.checkpointing.interval, before taking savepoints"
                                    + " of a job with an iteration. The job keeps running."));
            return;
        }
        boolean savepoint = isSavepoint(checkpointId);
        if (plan.isLockStep() && (savepoint || plan.isEveryCheckpointRescalable())) {
            // Flink injects the barriers only once every coordinator completed its future, and the
            // checkpoint timeout runs meanwhile: the heads first reach a round boundary.
            controller.prepareRescalableSnapshot(checkpointId, savepoint, result);
            return;
        }
        result.complete(new byte[0]);
    }

    /** Whether {@code checkpointId} is a savepoint: a savepoint is never subsumed. */
    private boolean isSavepoint(long checkpointId) {
        CheckpointCoordinator checkpoints = context.getCheckpointCoordinator();
        if (checkpoints == null) {
            return false;
        }
        PendingCheckpoint pending = checkpoints.getPendingCheckpoints().get(checkpointId);
        return pending != null && !pending.canBeSubsumed();
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        if (controller != null) {
            controller.releaseHold(checkpointId);
        }
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) {
        if (controller != null) {
            controller.releaseHold(checkpointId);
        }
    }

    @Override
    public void resetToCheckpoint(long checkpointId, byte[] checkpointData) {
        undelivered.forEach(List::clear);
        if (controller != null) {
            controller.reset();
        }
    }

    @Override
    public void close() {}
}
