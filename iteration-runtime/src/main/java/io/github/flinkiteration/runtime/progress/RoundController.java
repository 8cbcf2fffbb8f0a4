package io.github.flinkiteration.runtime.progress;

import io.github.flinkiteration.runtime.progress.IterationCoordinatorProvider.Role;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.coordination.CoordinatorStore;

/**
 * Decides, for one iteration, when each round ends globally and whether another one follows.
 *
 * <p>Round {@code r} is decided once every head subtask has reported it (all its feedback of round
 * {@code r} arrived) and every termination-check subtask has reported it. Heads and replay
 * operators hear each decision. The iteration stops when {@code r + 1} reaches the round limit,
 * when the round fed nothing back, or when a check says so; otherwise every head starts round
 * {@code r + 1}.
 *
 * <p>One instance per iteration lives in the job's {@link CoordinatorStore}, shared by the
 * iteration's coordinators and its control-source enumerators. Coordinators call it from the
 * JobMaster's main thread, enumerators from their own; hence the locking.
 */
final class RoundController {

    private final ProgressPlan plan;
    private final Map<OperatorID, Participant> participants = new LinkedHashMap<>();
    private final TreeMap<Integer, Tally> tallies = new TreeMap<>();
    private final List<Runnable> terminationListeners = new ArrayList<>();
    private int decidedRound = -1;
    private boolean terminated;

    private RoundController(ProgressPlan plan) {
        this.plan = plan;
    }

    static RoundController of(CoordinatorStore store, ProgressPlan plan) {
        String key = "flink-iteration/controller/" + plan.getIterationId();
        return (RoundController)
                store.compute(
                        key,
                        (k, existing) -> existing != null ? existing : new RoundController(plan));
    }

    synchronized void register(IterationCoordinator coordinator) {
        participants.put(
                coordinator.getOperatorId(),
                new Participant(coordinator, coordinator.getParallelism()));
    }

    /** Runs {@code listener} once the iteration has terminated (at once if it has). */
    synchronized void onTermination(Runnable listener) {
        if (terminated) {
            listener.run();
        } else {
            terminationListeners.add(listener);
        }
    }

    synchronized void onReport(IterationCoordinator from, int subtask, RoundReportEvent report) {
        Participant participant = participants.get(from.getOperatorId());
        if (plan.isDecidedByHead(participant.reported.length)) {
            // That head started every earlier round itself and reports only the last one.
            decidedRound = Math.max(decidedRound, report.getRound() - 1);
        }
        tally(report.getRound()).feedbackRecords += report.getFeedbackRecords();
        participant.reported[subtask] = report.getRound();
        decideReadyRounds();
    }

    synchronized void onReport(IterationCoordinator from, int subtask, CheckReportEvent report) {
        Participant participant = participants.get(from.getOperatorId());
        if (report.getRound() != Integer.MAX_VALUE) {
            Tally tally = tally(report.getRound());
            tally.checkRecords.merge(from.getOperatorId(), report.getRecords(), Long::sum);
            tally.checkSaysStop |= report.isStop();
        }
        participant.reported[subtask] = report.getRound();
        decideReadyRounds();
    }

    /** Forgets all progress: the job restarts its tasks from the beginning. */
    synchronized void reset() {
        tallies.clear();
        decidedRound = -1;
        terminated = false;
        for (Participant participant : participants.values()) {
            Arrays.fill(participant.reported, -1);
        }
    }

    private Tally tally(int round) {
        return tallies.computeIfAbsent(round, r -> new Tally());
    }

    private void decideReadyRounds() {
        while (!terminated && isReported(decidedRound + 1)) {
            decide(decidedRound + 1);
        }
    }

    private boolean isReported(int round) {
        if (participants.size() < plan.getParticipants() + plan.getReplays()) {
            return false;
        }
        for (Participant participant : participants.values()) {
            if (participant.coordinator.getRole() == Role.REPLAY) {
                continue;
            }
            for (int reported : participant.reported) {
                if (reported < round) {
                    return false;
                }
            }
        }
        return true;
    }

    private void decide(int round) {
        Tally tally = tallies.containsKey(round) ? tallies.remove(round) : new Tally();
        boolean stop = plan.stopsAfter(round, tally.feedbackRecords) || tally.checkSaysStop;
        for (Participant participant : participants.values()) {
            if (participant.coordinator.getRole() == Role.EMPTINESS_CHECK && round >= 1) {
                OperatorID id = participant.coordinator.getOperatorId();
                stop |= tally.checkRecords.getOrDefault(id, 0L) == 0;
            }
        }
        decidedRound = round;
        RoundDecisionEvent decision =
                stop ? RoundDecisionEvent.terminate() : RoundDecisionEvent.startRound(round + 1);
        for (Participant participant : participants.values()) {
            Role role = participant.coordinator.getRole();
            if (role == Role.HEAD || role == Role.REPLAY) {
                participant.coordinator.sendToSubtasks(decision);
            }
        }
        if (stop) {
            terminated = true;
            terminationListeners.forEach(Runnable::run);
            terminationListeners.clear();
        }
    }

    private static final class Participant {
        final IterationCoordinator coordinator;
        final int[] reported;

        Participant(IterationCoordinator coordinator, int parallelism) {
            this.coordinator = coordinator;
            this.reported = new int[parallelism];
            Arrays.fill(reported, -1);
        }
    }

    private static final class Tally {
        long feedbackRecords;
        final Map<OperatorID, Long> checkRecords = new HashMap<>();
        boolean checkSaysStop;
    }
}
