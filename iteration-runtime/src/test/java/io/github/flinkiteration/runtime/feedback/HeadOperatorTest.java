package io.github.flinkiteration.runtime.feedback;

import static io.github.flinkiteration.runtime.feedback.LoopSubtask.chunk;
import static io.github.flinkiteration.runtime.feedback.LoopSubtask.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.runtime.protocol.FeedbackRecord;
import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import io.github.flinkiteration.runtime.protocol.RoundDecision;
import io.github.flinkiteration.runtime.protocol.RoundDecisionEvent;
import io.github.flinkiteration.runtime.protocol.RoundMarker;
import io.github.flinkiteration.runtime.protocol.TerminationReason;
import io.github.flinkiteration.runtime.record.IterationRecord;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.Test;

/**
 * The head's side of the round protocol, one subtask in Flink's operator harness. The test plays
 * the tail and the round decider by putting items into the head's feedback channel, and the
 * coordinator by reading what the head sent it and answering through the head's event handler.
 */
class HeadOperatorTest {

    /** Lock-step; a termination check makes the coordinator decide every round. */
    private static final ProgressPlan COORDINATED =
            new ProgressPlan("it", "test", 0, 1, 1, true, 0);

    /** Lock-step, no check, no constant: round deciders decide (at parallelism above one). */
    private static final ProgressPlan DATA_PLANE = new ProgressPlan("it", "test", 0, 1, 0, true, 0);

    /** Unbounded: feedback is not held; at parallelism above one the coordinator decides. */
    private static final ProgressPlan FREE_FLOW = new ProgressPlan("it", "test", 0, 1, 0, false, 0);

    @Test
    void initialRecordsEnterRoundZeroAndTheirEndEmitsRoundWatermarkZero() throws Exception {
        try (LoopSubtask loop = LoopSubtask.head(COORDINATED, 2, 0)) {
            loop.initialRecords(1, 2);
            loop.head.endInput(1);
            // Flink ends an input again after a restore if it had ended before the checkpoint.
            loop.head.endInput(1);

            assertThat(loop.headOutput()).containsExactly("0:1", "0:2", "wm 0");
            assertThat(loop.sentToCoordinator()).containsExactly("resume -1");
        }
    }

    @Test
    void lockStepHeadHoldsFeedbackUntilTheCoordinatorStartsItsRound() throws Exception {
        try (LoopSubtask loop = LoopSubtask.head(COORDINATED, 2, 0)) {
            loop.initialRecords(1, 2);
            loop.head.endInput(1);
            FeedbackChannel channel = loop.channel();
            channel.put(chunk(1, 10, 11));
            channel.put(record(1, 12));
            loop.head.runMailbox();

            assertThat(loop.headOutput())
                    .as("round 1 has not started")
                    .containsExactly("0:1", "0:2", "wm 0");
            assertThat(loop.sentToCoordinator())
                    .as("round 0 is complete here only once the tail's marker came back")
                    .containsExactly("resume -1");

            channel.put(new RoundMarker(0));
            loop.head.runMailbox();

            assertThat(loop.sentToCoordinator()).containsExactly("resume -1", "report 0 fed 3");
            assertThat(loop.headOutput()).containsExactly("0:1", "0:2", "wm 0");

            loop.fromCoordinator(RoundDecisionEvent.startRound(1));

            assertThat(loop.headOutput())
                    .as("the held records, in the order fed back, then the round's watermark")
                    .containsExactly("0:1", "0:2", "wm 0", "1:10", "1:11", "1:12", "wm 1");
        }
    }

    @Test
    void aRoundIsReportedOnlyAfterTheHeadStartedIt() throws Exception {
        try (LoopSubtask loop = LoopSubtask.head(COORDINATED, 2, 0)) {
            loop.initialRecords(1);
            loop.head.endInput(1);
            FeedbackChannel channel = loop.channel();
            channel.put(chunk(1, 10));
            channel.put(new RoundMarker(0));
            loop.head.runMailbox();
            // The tail's marker for round 1 cannot overtake the start of round 1 in a real loop,
            // but a marker is a promise about the tail only: the round still waits for the head.
            channel.put(new RoundMarker(1));
            loop.head.runMailbox();

            assertThat(loop.sentToCoordinator()).containsExactly("resume -1", "report 0 fed 1");

            channel.put(chunk(2, 20, 21));
            loop.head.runMailbox();
            loop.fromCoordinator(RoundDecisionEvent.startRound(1));

            assertThat(loop.sentToCoordinator())
                    .containsExactly("resume -1", "report 0 fed 1", "report 1 fed 2");
            assertThat(loop.headOutput()).containsExactly("0:1", "wm 0", "1:10", "wm 1");
        }
    }

    @Test
    void aStartOfARoundTheHeadAlreadyStartedIsIgnored() throws Exception {
        try (LoopSubtask loop = LoopSubtask.head(COORDINATED, 2, 0)) {
            loop.initialRecords(1);
            loop.head.endInput(1);
            FeedbackChannel channel = loop.channel();
            channel.put(chunk(1, 10));
            channel.put(new RoundMarker(0));
            loop.head.runMailbox();
            loop.fromCoordinator(RoundDecisionEvent.startRound(1));
            // After a restore the coordinator tells every head to start the furthest round.
            loop.fromCoordinator(RoundDecisionEvent.startRound(1));

            assertThat(loop.headOutput()).containsExactly("0:1", "wm 0", "1:10", "wm 1");
        }
    }

    @Test
    void terminationDropsHeldFeedbackAndEverythingPutAfterIt() throws Exception {
        try (LoopSubtask loop = LoopSubtask.head(COORDINATED, 2, 0)) {
            loop.initialRecords(1);
            loop.head.endInput(1);
            FeedbackChannel channel = loop.channel();
            channel.put(chunk(1, 10));
            channel.put(new RoundMarker(0));
            loop.head.runMailbox();

            loop.fromCoordinator(RoundDecisionEvent.terminate(TerminationReason.CONVERGED));
            channel.put(chunk(1, 11));
            channel.put(new RoundMarker(1));
            loop.head.runMailbox();

            assertThat(loop.headOperator().isTerminated()).isTrue();
            assertThat(loop.headOutput()).containsExactly("0:1", "wm 0");
            assertThat(loop.sentToCoordinator())
                    .containsExactly("resume -1", "report 0 fed 1", "Terminated");
        }
    }

    @Test
    void aTerminationRepeatedAfterARestoreIsConfirmedAgain() throws Exception {
        try (LoopSubtask loop = LoopSubtask.head(COORDINATED, 2, 0)) {
            loop.initialRecords(1);
            loop.head.endInput(1);
            loop.fromCoordinator(RoundDecisionEvent.terminate(TerminationReason.CONVERGED));
            // The controller forgot the confirmation with its reset and terminates again.
            loop.fromCoordinator(RoundDecisionEvent.terminate(TerminationReason.UNKNOWN));

            assertThat(loop.sentToCoordinator())
                    .as("the control source waits for each head subtask's confirmation")
                    .containsExactly("resume -1", "Terminated", "Terminated");
        }
    }

    @Test
    void aDecidersDecisionWaitsUntilTheRoundIsCompleteAtThisSubtask() throws Exception {
        try (LoopSubtask loop = LoopSubtask.head(DATA_PLANE, 2, 1)) {
            loop.initialRecords(1);
            loop.head.endInput(1);
            FeedbackChannel channel = loop.channel();
            channel.put(chunk(1, 10));
            // The other tail subtask's summary completed round 0 at the decider; ours has not.
            channel.put(new RoundDecision(0, false));
            loop.head.runMailbox();

            assertThat(loop.headOutput()).containsExactly("0:1", "wm 0");

            channel.put(chunk(1, 11));
            channel.put(new RoundMarker(0));
            loop.head.runMailbox();

            assertThat(loop.headOutput()).containsExactly("0:1", "wm 0", "1:10", "1:11", "wm 1");
            assertThat(loop.sentToCoordinator())
                    .as("the coordinator hears only the round the head stops after")
                    .containsExactly("resume -1");
        }
    }

    @Test
    void aDecisionHandedOverAgainAfterItWasAppliedIsIgnored() throws Exception {
        try (LoopSubtask loop = LoopSubtask.head(DATA_PLANE, 2, 0)) {
            loop.initialRecords(1);
            loop.head.endInput(1);
            FeedbackChannel channel = loop.channel();
            channel.put(chunk(1, 10));
            channel.put(new RoundMarker(0));
            channel.put(new RoundDecision(0, false));
            loop.head.runMailbox();
            // A restored decider puts its last decision into the channel again.
            channel.put(new RoundDecision(0, false));
            channel.put(chunk(2, 20));
            channel.put(new RoundMarker(1));
            loop.head.runMailbox();

            assertThat(loop.headOutput()).containsExactly("0:1", "wm 0", "1:10", "wm 1");
        }
    }

    @Test
    void aDecisionToStopReportsTheLastRoundAndDropsItsFeedback() throws Exception {
        try (LoopSubtask loop = LoopSubtask.head(DATA_PLANE, 2, 0)) {
            loop.initialRecords(1);
            loop.head.endInput(1);
            FeedbackChannel channel = loop.channel();
            channel.put(chunk(1, 10));
            channel.put(new RoundMarker(0));
            channel.put(new RoundDecision(0, false));
            loop.head.runMailbox();
            channel.put(chunk(2, 20, 21));
            channel.put(new RoundMarker(1));
            // Another subtask's tail fed back so much that the decider stops at a round limit.
            channel.put(new RoundDecision(1, true));
            loop.head.runMailbox();

            assertThat(loop.headOperator().isTerminated()).isTrue();
            assertThat(loop.headOutput()).containsExactly("0:1", "wm 0", "1:10", "wm 1");
            assertThat(loop.sentToCoordinator())
                    .containsExactly("resume -1", "report 1 fed 2", "Terminated");
        }
    }

    @Test
    void aLoneHeadDecidesEachRoundItselfAndReportsOnlyTheLast() throws Exception {
        // One variable, parallelism 1, no check, no constant; the limit is two rounds.
        ProgressPlan alone = new ProgressPlan("it", "test", 2, 1, 0, true, 0);
        try (LoopSubtask loop = LoopSubtask.head(alone, 1, 0)) {
            loop.initialRecords(1);
            loop.head.endInput(1);
            FeedbackChannel channel = loop.channel();
            channel.put(chunk(1, 10));
            channel.put(new RoundMarker(0));
            loop.head.runMailbox();

            assertThat(loop.headOutput()).containsExactly("0:1", "wm 0", "1:10", "wm 1");
            assertThat(loop.sentToCoordinator()).containsExactly("resume -1");

            channel.put(chunk(2, 20));
            channel.put(new RoundMarker(1));
            loop.head.runMailbox();

            assertThat(loop.headOperator().isTerminated()).isTrue();
            assertThat(loop.headOutput()).containsExactly("0:1", "wm 0", "1:10", "wm 1");
            assertThat(loop.sentToCoordinator())
                    .containsExactly("resume -1", "report 1 fed 1", "Terminated");
        }
    }

    @Test
    void freeFlowHeadPassesFeedbackOnAtOnceAndCountsItByRound() throws Exception {
        try (LoopSubtask loop = LoopSubtask.head(FREE_FLOW, 2, 0)) {
            loop.initialRecords(1);
            loop.head.endInput(1);
            FeedbackChannel channel = loop.channel();
            channel.put(record(1, 10));
            channel.put(new FeedbackRecord<>(new StreamRecord<>(new IterationRecord<>(1, 11), 7L)));
            loop.head.runMailbox();

            assertThat(loop.headOutput())
                    .as("round 1 has not started, its records flow anyway, timestamps kept")
                    .containsExactly("0:1", "wm 0", "1:10", "1:11@7");

            // Round-1 records went round the loop before the tail's marker for round 0.
            channel.put(record(2, 20));
            channel.put(new RoundMarker(0));
            loop.head.runMailbox();

            assertThat(loop.sentToCoordinator()).containsExactly("resume -1", "report 0 fed 2");

            loop.fromCoordinator(RoundDecisionEvent.startRound(1));
            channel.put(new RoundMarker(1));
            loop.head.runMailbox();

            assertThat(loop.headOutput())
                    .containsExactly("0:1", "wm 0", "1:10", "1:11@7", "2:20", "wm 1");
            assertThat(loop.sentToCoordinator())
                    .containsExactly("resume -1", "report 0 fed 2", "report 1 fed 1");
        }
    }

    @Test
    void aFreeFlowHeadLetsItsInitialInputGoFirstWhileItKeepsDelivering() throws Exception {
        try (LoopSubtask loop = LoopSubtask.headAndTailInItsTask(FREE_FLOW, 2, 0)) {
            FeedbackChannel channel = loop.channel();
            loop.initialRecords(1);
            channel.put(record(1, 10));
            loop.initialRecords(2);
            assertThat(loop.head.runOneMail()).isTrue();

            assertThat(loop.headOutput())
                    .as("the input delivered: put off")
                    .containsExactly("0:1", "0:2");

            loop.initialRecords(3);
            assertThat(loop.head.runOneMail()).isTrue();
            assertThat(loop.headOutput())
                    .as("it delivered again")
                    .containsExactly("0:1", "0:2", "0:3");

            assertThat(loop.head.runOneMail()).isTrue();
            assertThat(loop.headOutput())
                    .as("nothing since the last look: the input waits, the feedback goes in")
                    .containsExactly("0:1", "0:2", "0:3", "1:10");
        }
    }

    @Test
    void aHeadWhoseTailRunsElsewhereTakesFeedbackWhileItsInputDelivers() throws Exception {
        try (LoopSubtask loop = LoopSubtask.head(FREE_FLOW, 2, 0)) {
            FeedbackChannel channel = loop.channel();
            loop.initialRecords(1);
            channel.put(record(1, 10));
            loop.initialRecords(2);
            assertThat(loop.head.runOneMail()).isTrue();

            assertThat(loop.headOutput()).containsExactly("0:1", "0:2", "1:10");
        }
    }

    @Test
    void aBusyInitialInputLetsFeedbackInAfterABatchOfItsRecords() throws Exception {
        try (LoopSubtask loop = LoopSubtask.headAndTailInItsTask(FREE_FLOW, 2, 0)) {
            FeedbackChannel channel = loop.channel();
            channel.put(record(1, -1));
            int records = HeadOperator.INITIAL_RECORDS_PER_TAKE + 10;
            for (int i = 0; i < records; i++) {
                loop.initialRecords(i);
                loop.head.runOneMail();
            }

            List<String> output = loop.headOutput();
            assertThat(output).hasSize(records + 1);
            assertThat(output.indexOf("1:-1"))
                    .as("taken once the input delivered a batch, though it never paused")
                    .isEqualTo(HeadOperator.INITIAL_RECORDS_PER_TAKE);
        }
    }
}
