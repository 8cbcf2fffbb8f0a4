package io.github.flinkiteration.runtime.feedback;

import static io.github.flinkiteration.runtime.feedback.LoopSubtask.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import io.github.flinkiteration.runtime.protocol.RoundDecisionEvent;
import io.github.flinkiteration.runtime.protocol.RoundMarker;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Heads of an unbounded iteration checkpointed at parallelism 2 and restored at parallelism 3: each
 * new head goes on from the oldest round an old head had emitted, tells the coordinator the latest
 * one, and the feedback counts of the first undecided round's successor add up to what the old
 * heads had counted or reported, so the coordinator's decision on that round is unchanged.
 */
class HeadRescalingTest {

    private static final ProgressPlan UNBOUNDED = new ProgressPlan("it", "test", 0, 1, 0, false, 0);
    private static final long CHECKPOINT = 1;

    @Test
    void newHeadsResumeFromTheOldestRoundAndKeepTheFeedbackCounts() throws Exception {
        OperatorSubtaskState old = headsInDifferentRounds();

        List<String> reportsOfRound1 = new ArrayList<>();
        List<String> passedOn = new ArrayList<>();
        for (int subtask = 0; subtask < 3; subtask++) {
            OperatorSubtaskState share =
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(
                            old, 128, 2, 3, subtask);
            try (LoopSubtask restored = LoopSubtask.restore(UNBOUNDED, 3, subtask, share, null)) {
                restored.head.runMailbox();
                assertThat(restored.sentToCoordinator())
                        .as("subtask %d: round 0 was decided, round 1 was started", subtask)
                        .containsExactly("resume 1", "report 0 fed 0");
                assertThat(restored.headOutput().get(0)).isEqualTo("wm 0");

                restored.fromCoordinator(RoundDecisionEvent.startRound(1));
                restored.channel().put(new RoundMarker(1));
                restored.head.runMailbox();
                List<String> sent = restored.sentToCoordinator();
                reportsOfRound1.add(sent.get(sent.size() - 1));
                for (String output : restored.headOutput()) {
                    if (!output.startsWith("wm")) {
                        passedOn.add(output);
                    }
                }
                assertThat(restored.headOutput()).endsWith("wm 1");
            }
        }
        // The record in flight went into the body once, at one of the new heads.
        assertThat(passedOn).containsExactly("2:22");
        // 20 (reported by the old head 0), 21 (counted by the old head 1) and 22 (in flight).
        long fedIntoRound2 = 0;
        for (String report : reportsOfRound1) {
            assertThat(report).startsWith("report 1 fed ");
            fedIntoRound2 += Long.parseLong(report.substring("report 1 fed ".length()));
        }
        assertThat(fedIntoRound2).isEqualTo(3);
    }

    /**
     * At a lone head (parallelism 1, which decides rounds itself), the round before the one it goes
     * on from was decided already (an old head had started the next): it is not decided again, as
     * if no feedback had entered the next round, which would end the iteration at once. The
     * coordinator restarts the latest round, and the head decides the rounds after it from the
     * counts it took over.
     */
    @Test
    void aLoneHeadRestoredFromHeadsInDifferentRoundsGoesOn() throws Exception {
        OperatorSubtaskState share =
                AbstractStreamOperatorTestHarness.repartitionOperatorState(
                        headsInDifferentRounds(), 128, 2, 1, 0);
        try (LoopSubtask restored = LoopSubtask.restore(UNBOUNDED, 1, 0, share, null)) {
            restored.head.runMailbox();
            assertThat(restored.sentToCoordinator()).containsExactly("resume 1");
            assertThat(restored.headOutput()).containsExactly("wm 0", "2:22");

            restored.fromCoordinator(RoundDecisionEvent.startRound(1));
            restored.channel().put(new RoundMarker(1));
            restored.head.runMailbox();
            // Round 1 fed three records into round 2 (20, 21 and 22): the head goes on.
            assertThat(restored.headOutput()).endsWith("wm 1", "wm 2");
            assertThat(restored.sentToCoordinator()).containsExactly("resume 1");
        }
    }

    /**
     * Two heads checkpointed at parallelism 2: head 0 had started round 1 and reported it with one
     * record (20) fed into round 2; head 1 had not heard of round 1's start, counted one record of
     * round 2 (21) and had one more (22) in its channel.
     */
    private static OperatorSubtaskState headsInDifferentRounds() throws Exception {
        OperatorSubtaskState ahead;
        try (LoopSubtask loop = LoopSubtask.head(UNBOUNDED, 2, 0)) {
            loop.initialRecords(1);
            loop.head.endInput(1);
            FeedbackChannel channel = loop.channel();
            channel.put(record(1, 10));
            channel.put(new RoundMarker(0));
            loop.head.runMailbox();
            loop.fromCoordinator(RoundDecisionEvent.startRound(1));
            // Round 1 complete here: reported with its one record of round 2.
            channel.put(record(2, 20));
            channel.put(new RoundMarker(1));
            loop.head.runMailbox();
            assertThat(loop.sentToCoordinator())
                    .containsExactly("resume -1", "report 0 fed 1", "report 1 fed 1");
            ahead = loop.head.snapshot(CHECKPOINT, CHECKPOINT);
        }
        OperatorSubtaskState behind;
        try (LoopSubtask loop = LoopSubtask.head(UNBOUNDED, 2, 1)) {
            loop.initialRecords(2);
            loop.head.endInput(1);
            FeedbackChannel channel = loop.channel();
            channel.put(record(1, 11));
            channel.put(new RoundMarker(0));
            loop.head.runMailbox();
            // The start of round 1 has not reached this head; feedback of round 2 already has:
            // one record counted, one still in the channel at the snapshot.
            channel.put(record(2, 21));
            loop.head.runMailbox();
            channel.put(record(2, 22));
            assertThat(loop.sentToCoordinator()).containsExactly("resume -1", "report 0 fed 1");
            behind = loop.head.snapshot(CHECKPOINT, CHECKPOINT);
        }
        return AbstractStreamOperatorTestHarness.repackageState(ahead, behind);
    }
}
