package io.github.flinkiteration.runtime.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import io.github.flinkiteration.runtime.protocol.RoundSummary;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * A round decider in Flink's operator harness: the summaries of every tail subtask go in, the
 * decisions come out in the feedback channel of the co-located head, which the test reads.
 */
class RoundDeciderOperatorTest {

    /** Two variables: "x" with tails at parallelism 2, "y" with one tail subtask. */
    private static final ProgressPlan TWO_VARIABLES =
            new ProgressPlan("it", "test", 0, 2, 0, true, 0);

    private final ChannelReader head = new ChannelReader();

    @Test
    void aRoundIsDecidedOnceEveryTailSubtaskOfEveryVariableSummarizedIt() throws Exception {
        try (OneInputStreamOperatorTestHarness<RoundSummary, Void> decider = open(TWO_VARIABLES)) {
            decider.processElement(summary(0, 0, 2, 0, 3));
            decider.processElement(summary(1, 0, 1, 0, 0));
            // A restored tail summarizes a round again: it must not stand in for subtask 1.
            decider.processElement(summary(0, 0, 2, 0, 3));

            assertThat(head.taken()).isEmpty();

            decider.processElement(summary(0, 1, 2, 0, 0));

            assertThat(head.taken()).containsExactly("decision 0 continue");
        }
    }

    @Test
    void summariesOfALaterRoundWaitForTheEarlierDecision() throws Exception {
        try (OneInputStreamOperatorTestHarness<RoundSummary, Void> decider = open(TWO_VARIABLES)) {
            decider.processElement(summary(0, 0, 2, 1, 0));
            decider.processElement(summary(0, 1, 2, 1, 0));
            decider.processElement(summary(1, 0, 1, 1, 0));
            assertThat(head.taken()).as("round 0 is not decided yet").isEmpty();

            decider.processElement(summary(0, 0, 2, 0, 1));
            decider.processElement(summary(0, 1, 2, 0, 0));
            decider.processElement(summary(1, 0, 1, 0, 0));

            assertThat(head.taken())
                    .as("round 1 fed nothing back")
                    .containsExactly("decision 0 continue", "decision 1 stop");
        }
    }

    @Test
    void theRoundLimitStopsTheIterationWhateverWasFedBack() throws Exception {
        ProgressPlan twoRounds = new ProgressPlan("it", "test", 2, 1, 0, true, 0);
        try (OneInputStreamOperatorTestHarness<RoundSummary, Void> decider = open(twoRounds)) {
            decider.processElement(summary(0, 0, 1, 0, 4));
            decider.processElement(summary(0, 0, 1, 1, 4));
            decider.processElement(summary(0, 0, 1, 2, 4));

            assertThat(head.taken()).containsExactly("decision 0 continue", "decision 1 stop");
        }
    }

    @Test
    void aRestoredDeciderHandsItsLastDecisionOverAgainAndKeepsUndecidedSummaries()
            throws Exception {
        OperatorSubtaskState state;
        try (OneInputStreamOperatorTestHarness<RoundSummary, Void> decider = open(TWO_VARIABLES)) {
            decider.processElement(summary(0, 0, 2, 0, 1));
            decider.processElement(summary(0, 1, 2, 0, 1));
            decider.processElement(summary(1, 0, 1, 0, 1));
            decider.processElement(summary(0, 0, 2, 1, 5));
            state = decider.snapshot(1, 1);
        }

        OneInputStreamOperatorTestHarness<RoundSummary, Void> restored = harness(TWO_VARIABLES);
        restored.initializeState(state);
        ChannelReader restoredHead = new ChannelReader();
        // Items put before the head registers wait in the channel: what the restored decider
        // puts in open is read afterwards.
        restored.open();
        try (restored) {
            restoredHead.listen(restored.getOperator(), "it", LoopSubtask.VARIABLE);
            restored.processElement(summary(0, 1, 2, 1, 0));
            restored.processElement(summary(1, 0, 1, 1, 0));

            assertThat(restoredHead.taken())
                    .as("round 1 counts the 5 records summarized before the checkpoint")
                    .containsExactly("decision 0 continue", "decision 1 continue");
        }
    }

    /**
     * Next to a lone head at parallelism 1, which decides alone, the decider sends nothing but
     * keeps deciding into its state; restored at parallelism 2, where the heads wait for deciders,
     * it hands its last decision over.
     */
    @Test
    void theDeciderOfALoneHeadSendsNothingButKeepsItsStateForAnotherParallelism() throws Exception {
        ProgressPlan oneVariable = new ProgressPlan("it", "test", 0, 1, 0, true, 0);
        OperatorSubtaskState state;
        try (OneInputStreamOperatorTestHarness<RoundSummary, Void> decider =
                new OneInputStreamOperatorTestHarness<>(
                        new RoundDeciderOperator(oneVariable, LoopSubtask.VARIABLE), 128, 1, 0)) {
            decider.open();
            head.listen(decider.getOperator(), "it", LoopSubtask.VARIABLE);
            decider.processElement(summary(0, 0, 1, 0, 2));
            decider.processElement(summary(0, 0, 1, 1, 2));

            assertThat(head.taken()).as("the lone head decided alone").isEmpty();
            state = decider.snapshot(1, 1);
        }

        OneInputStreamOperatorTestHarness<RoundSummary, Void> restored = harness(oneVariable);
        restored.initializeState(
                AbstractStreamOperatorTestHarness.repartitionOperatorState(state, 128, 1, 2, 0));
        ChannelReader restoredHead = new ChannelReader();
        restored.open();
        try (restored) {
            restoredHead.listen(restored.getOperator(), "it", LoopSubtask.VARIABLE);
            restored.processElement(summary(0, 0, 2, 2, 1));
            restored.processElement(summary(0, 1, 2, 2, 0));

            assertThat(restoredHead.taken())
                    .containsExactly("decision 1 continue", "decision 2 continue");
        }
    }

    private OneInputStreamOperatorTestHarness<RoundSummary, Void> open(ProgressPlan plan)
            throws Exception {
        OneInputStreamOperatorTestHarness<RoundSummary, Void> decider = harness(plan);
        decider.open();
        head.listen(decider.getOperator(), plan.getIterationId(), LoopSubtask.VARIABLE);
        return decider;
    }

    private static OneInputStreamOperatorTestHarness<RoundSummary, Void> harness(ProgressPlan plan)
            throws Exception {
        return new OneInputStreamOperatorTestHarness<>(
                new RoundDeciderOperator(plan, LoopSubtask.VARIABLE), 128, 2, 0);
    }

    private static StreamRecord<RoundSummary> summary(
            int variable, int subtask, int parallelism, int round, long fedBack) {
        return new StreamRecord<>(new RoundSummary(variable, subtask, parallelism, round, fedBack));
    }
}
