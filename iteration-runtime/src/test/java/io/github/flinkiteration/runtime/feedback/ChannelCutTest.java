package io.github.flinkiteration.runtime.feedback;

import static io.github.flinkiteration.runtime.feedback.LoopSubtask.chunk;
import static io.github.flinkiteration.runtime.feedback.LoopSubtask.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import io.github.flinkiteration.runtime.protocol.RoundDecision;
import io.github.flinkiteration.runtime.protocol.RoundDecisionEvent;
import io.github.flinkiteration.runtime.protocol.RoundMarker;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;

/**
 * Snapshot and restore of a head and its chained tail around the feedback channel, the one edge of
 * the loop that barriers do not cross: what the head took or found in the channel at its snapshot
 * is in the head's state, what the tail put between the head's snapshot and its own is in the
 * tail's, and after a restore each feedback item of every kind is delivered once.
 */
class ChannelCutTest {

    /** Lock-step with round deciders, so that all four kinds of item travel the channel. */
    private static final ProgressPlan PLAN = new ProgressPlan("it", "test", 0, 1, 0, true, 0);

    private static final int PARALLELISM = 2;
    private static final int SUBTASK = 0;
    private static final long CHECKPOINT = 1;

    @Test
    void headFirstSplitsTheFeedbackBetweenHeadAndTailState() throws Exception {
        OperatorSubtaskState headState;
        OperatorSubtaskState tailState;
        try (LoopSubtask loop = LoopSubtask.headAndTail(PLAN, PARALLELISM, SUBTASK)) {
            loop.initialRecords(1);
            loop.head.endInput(1);
            FeedbackChannel channel = loop.channel();
            channel.put(record(1, 10));
            loop.head.runMailbox(); // taken: the head holds it
            channel.put(chunk(1, 11)); // not taken when the barrier passes the head

            headState = loop.head.snapshot(CHECKPOINT, CHECKPOINT);
            loop.tailRecords(0, 12);
            loop.tail.processWatermark(0);
            channel.put(new RoundDecision(0, false)); // as the decider would
            tailState = loop.tail.snapshot(CHECKPOINT, CHECKPOINT);

            loop.head.runMailbox();
            assertThat(loop.headOutput())
                    .as("without a failure")
                    .containsExactly("0:1", "wm 0", "1:10", "1:11", "1:12", "wm 1");
        }

        try (LoopSubtask restored =
                LoopSubtask.restore(PLAN, PARALLELISM, SUBTASK, headState, tailState)) {
            restored.head.runMailbox();

            assertThat(restored.headOutput())
                    .as("round 0's watermark again, then each feedback record once")
                    .containsExactly("wm 0", "1:10", "1:11", "1:12", "wm 1");
        }
    }

    @Test
    void theHeadStateHoldsNothingPutAfterTheHeadSnapshot() throws Exception {
        OperatorSubtaskState headState;
        try (LoopSubtask loop = LoopSubtask.headAndTail(PLAN, PARALLELISM, SUBTASK)) {
            loop.initialRecords(1);
            loop.head.endInput(1);
            FeedbackChannel channel = loop.channel();
            channel.put(record(1, 10));
            loop.head.runMailbox();
            channel.put(chunk(1, 11));
            headState = loop.head.snapshot(CHECKPOINT, CHECKPOINT);
            loop.tailRecords(0, 12);
            loop.tail.processWatermark(0);
            channel.put(new RoundDecision(0, false));
        }

        // Restored without the tail's share: the marker and decision must come again.
        try (LoopSubtask restored =
                LoopSubtask.restore(PLAN, PARALLELISM, SUBTASK, headState, null)) {
            FeedbackChannel channel = restored.channel();
            channel.put(new RoundMarker(0));
            channel.put(new RoundDecision(0, false));
            restored.head.runMailbox();

            assertThat(restored.headOutput()).containsExactly("wm 0", "1:10", "1:11", "wm 1");
        }
    }

    @Test
    void everyKindOfItemInTheChannelAtTheHeadSnapshotSurvivesInTheHeadState() throws Exception {
        OperatorSubtaskState headState;
        try (LoopSubtask loop = LoopSubtask.headAndTail(PLAN, PARALLELISM, SUBTASK)) {
            loop.initialRecords(1);
            loop.head.endInput(1);
            FeedbackChannel channel = loop.channel();
            channel.put(record(1, 10));
            channel.put(chunk(1, 11, 12));
            channel.put(new RoundMarker(0));
            channel.put(new RoundDecision(0, false));
            headState = loop.head.snapshot(CHECKPOINT, CHECKPOINT);
        }

        try (LoopSubtask restored =
                LoopSubtask.restore(PLAN, PARALLELISM, SUBTASK, headState, null)) {
            restored.head.runMailbox();

            assertThat(restored.headOutput())
                    .containsExactly("wm 0", "1:10", "1:11", "1:12", "wm 1");
        }
    }

    @Test
    void tailFirstLeavesACutTheHeadKeepsWhatCameBefore() throws Exception {
        OperatorSubtaskState headState;
        OperatorSubtaskState tailState;
        try (LoopSubtask loop = LoopSubtask.headAndTail(PLAN, PARALLELISM, SUBTASK)) {
            loop.initialRecords(1);
            loop.head.endInput(1);
            FeedbackChannel channel = loop.channel();
            channel.put(record(1, 20));
            loop.tailRecords(0, 21); // still in the tail's chunk: flushed by its snapshot

            // The tail's barrier came first (its feedback comes from another variable's head).
            tailState = loop.tail.snapshot(CHECKPOINT, CHECKPOINT);
            loop.tail.processWatermark(0);
            channel.put(new RoundDecision(0, false));
            loop.head.runMailbox();

            assertThat(loop.headOutput())
                    .as("the head takes nothing past the cut before its own snapshot")
                    .containsExactly("0:1", "wm 0");

            headState = loop.head.snapshot(CHECKPOINT, CHECKPOINT);
            loop.head.runMailbox();
            assertThat(loop.headOutput())
                    .as("without a failure")
                    .containsExactly("0:1", "wm 0", "1:20", "1:21", "wm 1");
        }

        try (LoopSubtask restored =
                LoopSubtask.restore(PLAN, PARALLELISM, SUBTASK, headState, tailState)) {
            restored.head.runMailbox();
            assertThat(restored.headOutput())
                    .as("the marker and the decision came after the cut: round 0 is open")
                    .containsExactly("wm 0");

            // The head's repeated watermark reaches the tail again; the deciders decide again.
            restored.tail.processWatermark(0);
            restored.channel().put(new RoundDecision(0, false));
            restored.head.runMailbox();

            assertThat(restored.headOutput()).containsExactly("wm 0", "1:20", "1:21", "wm 1");
        }
    }

    @Test
    void aRestoredHeadTellsTheCoordinatorWhereItStandsAndReportsItsLastRoundAgain()
            throws Exception {
        ProgressPlan coordinated = new ProgressPlan("it", "test", 0, 1, 1, true, 0);
        OperatorSubtaskState headState;
        try (LoopSubtask loop = LoopSubtask.head(coordinated, PARALLELISM, SUBTASK)) {
            loop.initialRecords(1);
            loop.head.endInput(1);
            FeedbackChannel channel = loop.channel();
            channel.put(chunk(1, 10, 11));
            channel.put(new RoundMarker(0));
            loop.head.runMailbox();
            headState = loop.head.snapshot(CHECKPOINT, CHECKPOINT);
        }

        try (LoopSubtask restored =
                LoopSubtask.restore(coordinated, PARALLELISM, SUBTASK, headState, null)) {
            restored.head.runMailbox();
            assertThat(restored.sentToCoordinator())
                    .as("the report may not have reached the coordinator before the failure")
                    .containsExactly("resume 0", "report 0 fed 2");

            restored.fromCoordinator(RoundDecisionEvent.startRound(1));
            assertThat(restored.headOutput()).containsExactly("wm 0", "1:10", "1:11", "wm 1");
        }
    }

    @Test
    void aHeadRestoredAfterItStoppedSaysSoAndTakesNoMoreFeedback() throws Exception {
        OperatorSubtaskState headState;
        try (LoopSubtask loop = LoopSubtask.head(PLAN, PARALLELISM, SUBTASK)) {
            loop.initialRecords(1);
            loop.head.endInput(1);
            FeedbackChannel channel = loop.channel();
            channel.put(chunk(1, 10));
            channel.put(new RoundMarker(0));
            channel.put(new RoundDecision(0, true));
            loop.head.runMailbox();
            headState = loop.head.snapshot(CHECKPOINT, CHECKPOINT);
        }

        try (LoopSubtask restored =
                LoopSubtask.restore(PLAN, PARALLELISM, SUBTASK, headState, null)) {
            restored.channel().put(chunk(1, 10));
            restored.head.runMailbox();

            assertThat(restored.sentToCoordinator()).containsExactly("resume 0 stopped");
            assertThat(restored.headOutput()).isEmpty();
        }
    }
}
