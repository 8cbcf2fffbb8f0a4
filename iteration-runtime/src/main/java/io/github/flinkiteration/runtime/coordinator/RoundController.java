package io.github.flinkiteration.runtime.coordinator;

import io.github.flinkiteration.runtime.coordinator.IterationCoordinatorProvider.Role;
import io.github.flinkiteration.runtime.protocol.AggregateReportEvent;
import io.github.flinkiteration.runtime.protocol.AggregatesResponse;
import io.github.flinkiteration.runtime.protocol.AggregationPlan;
import io.github.flinkiteration.runtime.protocol.CheckReportEvent;
import io.github.flinkiteration.runtime.protocol.HoldingEvent;
import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import io.github.flinkiteration.runtime.protocol.ResumeEvent;
import io.github.flinkiteration.runtime.protocol.RoundDecisionEvent;
import io.github.flinkiteration.runtime.protocol.RoundReportEvent;
import io.github.flinkiteration.runtime.protocol.SnapshotHoldEvent;
import io.github.flinkiteration.runtime.protocol.TerminatedEvent;
import io.github.flinkiteration.runtime.protocol.TerminationReason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.coordination.CoordinationResponse;
import org.apache.flink.runtime.operators.coordination.CoordinatorStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, for one iteration, when each round ends globally and whether another one follows.
 *
 * <p>Round {@code r} is decided once every head subtask has reported it (all its feedback of round
 * {@code r} arrived) and every termination-check subtask has reported it. Heads and replay
 * operators hear each decision. The iteration stops when {@code r + 1} reaches the round limit,
 * when the round fed nothing back, or when a check says so; otherwise every head starts round
 * {@code r + 1}.
 *
 * <p><b>Restores.</b> The controller checkpoints nothing: the subtasks' state is the truth. After a
 * reset it decides nothing until every head and check subtask has said where it stands ({@link
 * ResumeEvent}). A head that already started round {@code r} proves that round {@code r - 1} was
 * decided to continue, so heads still before it are told to start {@code r}; one that had stopped
 * proves termination. Subtasks then send their last report again, and reports are kept per subtask,
 * so a report heard twice counts once.
 *
 * <p><b>Aggregators.</b> In an iteration with aggregators every body operator takes part too (role
 * {@code BODY}): each subtask reports its partial accumulators at the end of each round, and a
 * round is decided only once all of them did. The controller merges the partials into the round's
 * global values, judges the convergence checks on them, and answers the body subtasks that ask for
 * them as they start the next round. After a reset the body subtasks send their last report again,
 * together with the latest global values they had learned, so the values of the round before a
 * restored round are known again whichever side of the checkpoint each subtask was on.
 *
 * <p><b>Ending.</b> At termination every head and replay hears the decision; the control sources
 * end (which lets heads and replays finish) only once every head subtask said it applied it ({@link
 * TerminatedEvent}), so that no head finishes before it emitted the last round's feedback and its
 * final values: a control source's end travels by another path than the decision and could overtake
 * it.
 *
 * <p>One instance per iteration lives in the job's {@link CoordinatorStore}, shared by the
 * iteration's coordinators and its control-source enumerators. Coordinators call it from the
 * JobMaster's main thread, enumerators from their own; hence the locking.
 */
final class RoundController {

    private static final Logger LOG = LoggerFactory.getLogger(RoundController.class);

    private final ProgressPlan plan;
    private final Map<OperatorID, Participant> participants = new LinkedHashMap<>();
    private final TreeMap<Long, Tally> tallies = new TreeMap<>();
    private final List<Runnable> terminationListeners = new ArrayList<>();
    private long decidedRound = -1;
    private boolean terminated;

    /** Whether the control sources were told to end, since the last reset. */
    private boolean controlEnded;

    /** The global aggregates of the latest rounds, by round. */
    private final TreeMap<Long, Map<String, Object>> aggregates = new TreeMap<>();

    /** Partial aggregates of rounds not complete yet: by round, by subtask key. */
    private final TreeMap<Long, Map<Long, Map<String, Object>>> partials = new TreeMap<>();

    /** Requests for a round's aggregates that came before the round was complete. */
    private final Map<Long, List<CompletableFuture<CoordinationResponse>>> waiting =
            new HashMap<>();

    /** Whether every head and check subtask said where it stands since the last reset. */
    private boolean resumed;

    /** The rescalable snapshot the heads hold for; null when none is being taken. */
    private SnapshotHold hold;

    private RoundController(ProgressPlan plan) {
        this.plan = plan;
    }

    static RoundController of(CoordinatorStore store, ProgressPlan plan) {
        String key = "flink-iteration/controller/" + plan.getIterationId();
        return (RoundController)
                store.compute(key, (k, existing) -> existing != null ? existing : started(plan));
    }

    /** A new controller: the job has just started. */
    private static RoundController started(ProgressPlan plan) {
        LOG.info(
                "Iteration '{}' starts: {} variable(s), {} termination check(s), {} constant(s),"
                        + " {}, {}, rounds decided {}",
                plan.getName(),
                plan.getHeads(),
                plan.getParticipants() - plan.getHeads(),
                plan.getReplays(),
                plan.getMaxRounds() > 0
                        ? "at most " + plan.getMaxRounds() + " rounds"
                        : "no round limit",
                plan.isLockStep() ? "lock-step" : "unbounded",
                plan.isDecidedInDataPlane()
                        ? "by the round deciders or a lone head"
                        : "by the coordinator");
        return new RoundController(plan);
    }

    synchronized void register(IterationCoordinator coordinator) {
        participants.put(
                coordinator.getOperatorId(),
                new Participant(coordinator, coordinator.getParallelism()));
    }

    /**
     * Runs {@code listener} each time the control sources are to end (at once if they are), until
     * it is removed: once the iteration terminated and every head subtask applied it. After a
     * restore the iteration may terminate again.
     */
    synchronized void addTerminationListener(Runnable listener) {
        terminationListeners.add(listener);
        if (controlEnded) {
            listener.run();
        }
    }

    synchronized void removeTerminationListener(Runnable listener) {
        terminationListeners.remove(listener);
    }

    /** Whether the control sources are to end: see {@link #addTerminationListener}. */
    synchronized boolean isControlEnded() {
        return controlEnded;
    }

    /** A head subtask applied the termination; the last one lets the control sources end. */
    synchronized void onTerminated(IterationCoordinator from, int subtask) {
        participants.get(from.getOperatorId()).terminatedHere[subtask] = true;
        endControlIfReady();
    }

    synchronized void onResume(IterationCoordinator from, int subtask, ResumeEvent event) {
        Participant participant = participants.get(from.getOperatorId());
        participant.resumed[subtask] = true;
        participant.resumeRound[subtask] = event.getRound();
        if (event.isTerminated()) {
            terminate(TerminationReason.UNKNOWN);
            return;
        }
        if (resumed && from.getRole() == Role.REPLAY && !terminated && decidedRound >= 0) {
            // A replay that starts late: it learns the rounds it missed from the latest start.
            from.sendToSubtask(subtask, RoundDecisionEvent.startRound(decidedRound + 1));
        }
        finishResumingIfReady();
    }

    synchronized void onReport(IterationCoordinator from, int subtask, RoundReportEvent report) {
        Participant participant = participants.get(from.getOperatorId());
        if (participant.coordinator.getRole() == Role.HEAD
                && plan.reportsOnlyLastRound(participant.reported.length)) {
            // Every earlier round was decided without this controller; heads report the last one.
            decidedRound = Math.max(decidedRound, report.getRound() - 1);
        }
        if (report.getRound() > decidedRound) {
            tally(report.getRound())
                    .feedbackRecords
                    .put(key(participant, subtask), report.getFeedbackRecords());
        }
        participant.reported[subtask] = Math.max(participant.reported[subtask], report.getRound());
        decideReadyRounds();
    }

    synchronized void onReport(IterationCoordinator from, int subtask, CheckReportEvent report) {
        Participant participant = participants.get(from.getOperatorId());
        if (report.getRound() != Long.MAX_VALUE && report.getRound() > decidedRound) {
            Tally tally = tally(report.getRound());
            tally.checkRecords
                    .computeIfAbsent(from.getOperatorId(), id -> new HashMap<>())
                    .put(subtask, report.getRecords());
            tally.checkStops.put(key(participant, subtask), report.isStop());
        }
        participant.reported[subtask] = Math.max(participant.reported[subtask], report.getRound());
        decideReadyRounds();
    }

    synchronized void onReport(
            IterationCoordinator from, int subtask, AggregateReportEvent report) {
        Participant participant = participants.get(from.getOperatorId());
        if (report.getKnownRound() >= 0 && !aggregates.containsKey(report.getKnownRound())) {
            learnAggregates(report.getKnownRound(), report.getKnownValues());
        }
        long round = report.getRound();
        if (round >= 0) {
            if (!aggregates.containsKey(round)) {
                partials.computeIfAbsent(round, r -> new HashMap<>())
                        .put(key(participant, subtask), report.getPartials());
                completeAggregatesIfReady(round);
            }
            participant.reported[subtask] = Math.max(participant.reported[subtask], round);
        }
        decideReadyRounds();
    }

    /** The global aggregates of {@code round}: now if known, else once every body subtask told. */
    synchronized CompletableFuture<CoordinationResponse> requestAggregates(long round) {
        Map<String, Object> known = aggregates.get(round);
        if (known != null) {
            return CompletableFuture.completedFuture(new AggregatesResponse(known));
        }
        CompletableFuture<CoordinationResponse> answer = new CompletableFuture<>();
        waiting.computeIfAbsent(round, r -> new ArrayList<>()).add(answer);
        return answer;
    }

    private void completeAggregatesIfReady(long round) {
        Map<Long, Map<String, Object>> reported = partials.get(round);
        int bodySubtasks = 0;
        for (Participant participant : participants.values()) {
            if (participant.coordinator.getRole() == Role.BODY) {
                bodySubtasks += participant.reported.length;
            }
        }
        if (reported != null && reported.size() >= bodySubtasks) {
            learnAggregates(round, plan.getAggregation().results(reported.values()));
        }
    }

    private void learnAggregates(long round, Map<String, Object> values) {
        aggregates.put(round, values);
        partials.remove(round);
        // The next round's requests and convergence checks need this round and the one before.
        aggregates.headMap(round - 1).clear();
        List<CompletableFuture<CoordinationResponse>> answers = waiting.remove(round);
        if (answers != null) {
            answers.forEach(answer -> answer.complete(new AggregatesResponse(values)));
        }
    }

    /** Whether the aggregates of {@code round} say the iteration converged. */
    private boolean aggregatesConverged(long round) {
        AggregationPlan aggregation = plan.getAggregation();
        if (aggregation == null || aggregation.getChecks().isEmpty()) {
            return false;
        }
        Map<String, Object> current = aggregates.get(round);
        if (current == null) {
            throw new IllegalStateException(
                    "Iteration '"
                            + plan.getName()
                            + "': round "
                            + round
                            + " is reported by every participant, but its aggregates are not"
                            + " complete");
        }
        return aggregation.converged(round, current, round == 0 ? null : aggregates.get(round - 1));
    }

    /**
     * Completes {@code result} once every head stands between two rounds and holds there, so that
     * snapshot {@code checkpointId} cuts the loop at a round boundary (see {@link SnapshotHold}).
     * Each of the iteration's coordinators asks; the first asking sends the heads the hold.
     */
    synchronized void prepareRescalableSnapshot(
            long checkpointId, boolean savepoint, CompletableFuture<byte[]> result) {
        if (hold != null && hold.checkpointId != checkpointId) {
            // An older snapshot the heads held for was given up without a word reaching us.
            releaseHold(hold.checkpointId);
        }
        if (hold == null) {
            hold = new SnapshotHold(checkpointId, headSubtasks());
            if (terminated || hold.headSubtasks == 0) {
                hold.ready = true;
            } else {
                if (savepoint) {
                    LOG.info(
                            "Iteration '{}' holds its next round for savepoint {}, so that it"
                                    + " falls between two rounds and can be restored at another"
                                    + " parallelism",
                            plan.getName(),
                            checkpointId);
                } else {
                    LOG.debug(
                            "Iteration '{}' holds its next round for checkpoint {}",
                            plan.getName(),
                            checkpointId);
                }
                for (Participant participant : participants.values()) {
                    if (participant.holds()) {
                        participant.coordinator.sendToSubtasks(
                                SnapshotHoldEvent.hold(checkpointId));
                    }
                }
            }
        }
        if (hold.ready) {
            result.complete(new byte[0]);
        } else {
            hold.results.add(result);
        }
    }

    synchronized void onHolding(IterationCoordinator from, int subtask, HoldingEvent event) {
        if (hold == null || hold.checkpointId != event.getCheckpointId() || hold.ready) {
            return; // a late answer to a hold that is over
        }
        Participant participant = participants.get(from.getOperatorId());
        hold.rounds.put(
                key(participant, subtask),
                event.isTerminated() ? Long.MAX_VALUE : event.getRound());
        if (hold.rounds.size() < hold.headSubtasks) {
            return;
        }
        long latest = Long.MIN_VALUE;
        boolean even = true;
        for (long round : hold.rounds.values()) {
            even &= latest == Long.MIN_VALUE || round == latest;
            latest = Math.max(latest, round);
        }
        if (even || latest == Long.MAX_VALUE) {
            // Every head stands at the same boundary (or the iteration ended): the barriers may
            // come.
            hold.ready = true;
            hold.results.forEach(result -> result.complete(new byte[0]));
            hold.results.clear();
            return;
        }
        // Some head had started a later round before the hold reached it: that round was decided,
        // so the others catch up with it and hold there.
        List<Long> behind = new ArrayList<>();
        for (Map.Entry<Long, Long> entry : hold.rounds.entrySet()) {
            if (entry.getValue() < latest) {
                behind.add(entry.getKey());
            }
        }
        hold.upTo = latest;
        List<Runnable> waiting = new ArrayList<>(hold.deferred);
        hold.deferred.clear();
        waiting.forEach(Runnable::run); // the starts up to the latest round go out, others wait
        for (Participant head : participants.values()) {
            if (!head.holds()) {
                continue;
            }
            for (int i = 0; i < head.reported.length; i++) {
                if (behind.contains(key(head, i))) {
                    hold.rounds.remove(key(head, i));
                    head.coordinator.sendToSubtask(
                            i, SnapshotHoldEvent.catchUp(hold.checkpointId, latest));
                }
            }
        }
    }

    /**
     * Snapshot {@code checkpointId} completed or was given up: the heads go on, and what the
     * controller decided meanwhile goes out.
     */
    synchronized void releaseHold(long checkpointId) {
        if (hold == null || hold.checkpointId > checkpointId) {
            return;
        }
        SnapshotHold over = hold;
        hold = null;
        if (!over.ready) {
            LOG.warn(
                    "Iteration '{}': snapshot {} was given up (aborted, or the checkpoint timeout"
                            + " expired) before every head and replay stood between two rounds;"
                            + " rounds go on. Heads that had not answered: {} of {}.",
                    plan.getName(),
                    over.checkpointId,
                    over.headSubtasks - over.rounds.size(),
                    over.headSubtasks);
        }
        over.results.forEach(
                result ->
                        result.completeExceptionally(
                                new IllegalStateException(
                                        "Snapshot "
                                                + over.checkpointId
                                                + " was given up before every head of iteration "
                                                + plan.getName()
                                                + " reached a round boundary")));
        for (Participant participant : participants.values()) {
            if (participant.holds()) {
                participant.coordinator.sendToSubtasks(
                        SnapshotHoldEvent.release(over.checkpointId));
            }
        }
        over.deferred.forEach(Runnable::run);
        endControlIfReady();
    }

    /** The subtasks that hold for a rescalable snapshot: heads and replays, where rounds enter. */
    private int headSubtasks() {
        int subtasks = 0;
        for (Participant participant : participants.values()) {
            if (participant.holds()) {
                subtasks += participant.reported.length;
            }
        }
        return subtasks;
    }

    /** Forgets all progress: the subtasks restart, from a checkpoint or from the beginning. */
    synchronized void reset() {
        if (hold != null) {
            // The restarted heads hold for nothing; what was deferred was decided before the
            // restore and is decided again.
            hold.results.forEach(
                    result ->
                            result.completeExceptionally(
                                    new IllegalStateException(
                                            "Iteration '" + plan.getName() + "' was reset")));
            hold = null;
        }
        aggregates.clear();
        partials.clear();
        // Their requesters restart with the reset and ask again; one that survived fails now
        // rather than waiting for an answer this controller will never give.
        for (List<CompletableFuture<CoordinationResponse>> answers : waiting.values()) {
            answers.forEach(
                    answer ->
                            answer.completeExceptionally(
                                    new IllegalStateException(
                                            "Iteration '"
                                                    + plan.getName()
                                                    + "' was reset before the aggregates were"
                                                    + " complete")));
        }
        waiting.clear();
        tallies.clear();
        decidedRound = -1;
        terminated = false;
        controlEnded = false;
        resumed = false;
        for (Participant participant : participants.values()) {
            Arrays.fill(participant.terminatedHere, false);
            Arrays.fill(participant.reported, -1);
            Arrays.fill(participant.resumed, false);
            Arrays.fill(participant.resumeRound, -1);
        }
    }

    private void finishResumingIfReady() {
        if (resumed || terminated) {
            return;
        }
        if (participants.size() < plan.getParticipants() + plan.getReplays()) {
            return;
        }
        long latestStart = -1;
        for (Participant participant : participants.values()) {
            Role role = participant.coordinator.getRole();
            if (role == Role.REPLAY || role == Role.BODY) {
                continue; // they report no round they stand at; body operators resend reports
            }
            for (int i = 0; i < participant.resumed.length; i++) {
                if (!participant.resumed[i]) {
                    return;
                }
                if (role == Role.HEAD) {
                    latestStart = Math.max(latestStart, participant.resumeRound[i]);
                }
            }
        }
        resumed = true;
        // Deciders in the data plane restore their own decisions and hand them to the heads.
        if (!plan.isDecidedInDataPlane() && latestStart - 1 > decidedRound) {
            decidedRound = latestStart - 1;
            tallies.headMap(decidedRound, true).clear();
            sendToHeadsAndReplays(RoundDecisionEvent.startRound(decidedRound + 1));
        }
        decideReadyRounds();
    }

    private Tally tally(long round) {
        return tallies.computeIfAbsent(round, r -> new Tally());
    }

    private void decideReadyRounds() {
        while (!terminated && resumed && isReported(decidedRound + 1)) {
            decide(decidedRound + 1);
        }
    }

    private boolean isReported(long round) {
        if (participants.size() < plan.getParticipants() + plan.getReplays()) {
            return false;
        }
        for (Participant participant : participants.values()) {
            if (participant.coordinator.getRole() == Role.REPLAY) {
                continue;
            }
            for (long reported : participant.reported) {
                if (reported < round) {
                    return false;
                }
            }
        }
        return true;
    }

    private void decide(long round) {
        Tally tally = tallies.containsKey(round) ? tallies.remove(round) : new Tally();
        long feedbackRecords = 0;
        for (long records : tally.feedbackRecords.values()) {
            feedbackRecords += records;
        }
        // Only convergence checks report a stop; emptiness is judged here over all subtasks.
        TerminationReason reason =
                tally.checkStops.containsValue(Boolean.TRUE)
                        ? TerminationReason.CONVERGED
                        : TerminationReason.RUNNING;
        for (Participant participant : participants.values()) {
            if (participant.coordinator.getRole() == Role.EMPTINESS_CHECK && round >= 1) {
                Map<Integer, Long> counts =
                        tally.checkRecords.getOrDefault(
                                participant.coordinator.getOperatorId(), Map.of());
                long records = 0;
                for (long count : counts.values()) {
                    records += count;
                }
                if (records == 0 && reason == TerminationReason.RUNNING) {
                    reason = TerminationReason.EMPTY;
                }
            }
        }
        if (reason == TerminationReason.RUNNING && aggregatesConverged(round)) {
            reason = TerminationReason.CONVERGED;
        }
        if (reason == TerminationReason.RUNNING) {
            reason = plan.stopReason(round, feedbackRecords);
        }
        decidedRound = round;
        if (reason != TerminationReason.RUNNING) {
            LOG.debug("Iteration '{}' stops after round {}: {}", plan.getName(), round, reason);
            terminate(reason);
        } else {
            sendToHeadsAndReplays(RoundDecisionEvent.startRound(round + 1));
        }
    }

    private void terminate(TerminationReason reason) {
        if (terminated) {
            return;
        }
        terminated = true;
        tallies.clear();
        sendToHeadsAndReplays(RoundDecisionEvent.terminate(reason));
        endControlIfReady();
    }

    /**
     * Tells the control sources to end once the iteration terminated and every head subtask applied
     * it, and no snapshot holds the heads (ending them then would let tasks finish before the
     * snapshot's barriers reach them).
     */
    private void endControlIfReady() {
        if (!terminated || controlEnded || hold != null || !everyHeadAppliedTermination()) {
            return;
        }
        controlEnded = true;
        for (Runnable listener : new ArrayList<>(terminationListeners)) {
            listener.run();
        }
    }

    private boolean everyHeadAppliedTermination() {
        for (Participant participant : participants.values()) {
            if (participant.coordinator.getRole() == Role.HEAD
                    && !allTrue(participant.terminatedHere)) {
                return false;
            }
        }
        return true;
    }

    private static boolean allTrue(boolean[] values) {
        for (boolean value : values) {
            if (!value) {
                return false;
            }
        }
        return true;
    }

    private void sendToHeadsAndReplays(RoundDecisionEvent decision) {
        if (hold != null && (decision.isTerminate() || decision.getNextRound() > hold.upTo)) {
            // A replay would start the round before its barrier, and a head applies nothing while
            // it holds anyway: the decision goes out once the snapshot passed (Flink then delivers
            // it after each subtask's snapshot). Starts up to the round the holders catch up with
            // go out now: they were decided before the hold, and the holders wait for them.
            hold.deferred.add(() -> sendToHeadsAndReplays(decision));
            return;
        }
        for (Participant participant : participants.values()) {
            Role role = participant.coordinator.getRole();
            if (role == Role.HEAD || role == Role.REPLAY) {
                participant.coordinator.sendToSubtasks(decision);
            }
        }
    }

    private static long key(Participant participant, int subtask) {
        return ((long) participant.index << 32) | subtask;
    }

    private final class Participant {
        final IterationCoordinator coordinator;
        final int index;
        final long[] reported;
        final boolean[] resumed;
        final long[] resumeRound;

        /** Heads: which subtasks applied the termination since the last reset. */
        final boolean[] terminatedHere;

        Participant(IterationCoordinator coordinator, int parallelism) {
            this.coordinator = coordinator;
            this.index = participants.size();
            this.reported = new long[parallelism];
            this.resumed = new boolean[parallelism];
            this.resumeRound = new long[parallelism];
            this.terminatedHere = new boolean[parallelism];
            Arrays.fill(reported, -1);
            Arrays.fill(resumeRound, -1);
        }

        /** Whether its subtasks hold for a rescalable snapshot: where rounds enter the body. */
        boolean holds() {
            Role role = coordinator.getRole();
            return role == Role.HEAD || role == Role.REPLAY;
        }
    }

    /**
     * A rescalable snapshot being prepared: the heads' answers, the coordinators' checkpoint
     * futures that wait for them, and what the controller decided meanwhile, which goes out once
     * the snapshot passed.
     */
    private static final class SnapshotHold {
        final long checkpointId;
        final int headSubtasks;
        final Map<Long, Long> rounds = new HashMap<>();
        final List<CompletableFuture<byte[]>> results = new ArrayList<>();
        final List<Runnable> deferred = new ArrayList<>();
        boolean ready;

        /** The round the holders catch up with; starts up to it are not held back. */
        long upTo = Long.MIN_VALUE;

        SnapshotHold(long checkpointId, int headSubtasks) {
            this.checkpointId = checkpointId;
            this.headSubtasks = headSubtasks;
        }
    }

    /**
     * What the subtasks reported for one round, per subtask, so that a repeated report is
     * idempotent.
     */
    private static final class Tally {
        final Map<Long, Long> feedbackRecords = new HashMap<>();
        final Map<OperatorID, Map<Integer, Long>> checkRecords = new HashMap<>();
        final Map<Long, Boolean> checkStops = new HashMap<>();
    }
}
