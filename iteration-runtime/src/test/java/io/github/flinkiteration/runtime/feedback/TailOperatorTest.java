package io.github.flinkiteration.runtime.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkiteration.runtime.protocol.RoundSummary;
import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.record.IterationRecordSerializer;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The tail in Flink's operator harness, with the test reading its feedback channel where the head
 * would: what it puts for each record and each round watermark, and the summaries it sends to the
 * round deciders.
 */
class TailOperatorTest {

    private static final String ITERATION = "it";
    private static final String VARIABLE = "x";
    private static final IterationRecordSerializer<Integer> SERIALIZER =
            new IterationRecordSerializer<>(IntSerializer.INSTANCE);

    private final ChannelReader head = new ChannelReader();

    @Test
    void aFreeFlowTailMovesEachRecordToTheNextRoundAndHandsItOverAtOnce() throws Exception {
        try (OneInputStreamOperatorTestHarness<IterationRecord<Integer>, RoundSummary> tail =
                open(tail(false, false), 1, 0)) {
            tail.processElement(new StreamRecord<>(new IterationRecord<>(0, 1), 5L));
            tail.processElement(new StreamRecord<>(new IterationRecord<>(2, 7)));

            assertThat(head.taken()).containsExactly("record 1:1@5", "record 3:7");

            tail.processWatermark(0);

            assertThat(head.taken()).containsExactly("record 1:1@5", "record 3:7", "marker 0");
            assertThat(tail.getOutput()).as("no summaries without deciders").isEmpty();
        }
    }

    @Test
    void aNullRecordFailsNamingTheVariable() throws Exception {
        for (boolean lockStep : new boolean[] {false, true}) {
            try (OneInputStreamOperatorTestHarness<IterationRecord<Integer>, RoundSummary> tail =
                    open(tail(false, lockStep), 1, 0)) {
                assertThatThrownBy(
                                () ->
                                        tail.processElement(
                                                new StreamRecord<>(new IterationRecord<>(3, null))))
                        .isInstanceOf(NullPointerException.class)
                        .hasMessageContaining("variable 'x' emitted a null record in round 3")
                        .hasMessageContaining("filter them out");
                assertThat(head.taken()).isEmpty();
            }
        }
    }

    @Test
    void withObjectReuseTheTailHandsOverACopyTheUpstreamCannotChange() throws Exception {
        OneInputStreamOperatorTestHarness<IterationRecord<Integer>, RoundSummary> tail =
                harness(tail(false, false), 1, 0);
        tail.getExecutionConfig().enableObjectReuse();
        tail.open();
        try (tail) {
            listen(tail);
            IterationRecord<Integer> reused = new IterationRecord<>(0, 1);
            tail.processElement(new StreamRecord<>(reused));
            // A chained upstream operator reuses its record object for the next one.
            reused.setValue(2);
            tail.processElement(new StreamRecord<>(reused));

            assertThat(head.taken()).containsExactly("record 1:1", "record 1:2");
        }
    }

    @Test
    void aLockStepTailPutsEachRoundAsSerializedChunksFollowedByItsMarker() throws Exception {
        try (OneInputStreamOperatorTestHarness<IterationRecord<Integer>, RoundSummary> tail =
                open(tail(false, true), 1, 0)) {
            tail.processElement(new StreamRecord<>(new IterationRecord<>(0, 1)));
            tail.processElement(new StreamRecord<>(new IterationRecord<>(0, 2), 9L));

            assertThat(head.taken()).as("the round's records wait for its watermark").isEmpty();

            tail.processWatermark(0);
            tail.processWatermark(1); // a round that fed nothing back
            tail.processElement(new StreamRecord<>(new IterationRecord<>(2, 3)));
            tail.processWatermark(2);

            assertThat(head.taken())
                    .containsExactly(
                            "chunk 1:[1, 2@9]", "marker 0", "marker 1", "chunk 3:[3]", "marker 2");
        }
    }

    @Test
    void aSummarizingTailSendsOneSummaryPerRoundWithTheRecordsItFedBack() throws Exception {
        try (OneInputStreamOperatorTestHarness<IterationRecord<Integer>, RoundSummary> tail =
                open(tail(true, true), 3, 2)) {
            tail.processElement(new StreamRecord<>(new IterationRecord<>(0, 1)));
            tail.processElement(new StreamRecord<>(new IterationRecord<>(0, 2)));
            tail.processWatermark(0);
            // A restored head sends its last round watermark again.
            tail.processWatermark(0);
            tail.processElement(new StreamRecord<>(new IterationRecord<>(1, 3)));
            tail.processWatermark(1);
            tail.processWatermark(2);
            tail.processWatermark(Long.MAX_VALUE);

            assertThat(summaries(tail))
                    .containsExactly(
                            "variable 1, subtask 2/3, round 0, fed back 2",
                            "variable 1, subtask 2/3, round 1, fed back 1",
                            "variable 1, subtask 2/3, round 2, fed back 0");
            assertThat(head.taken())
                    .as("the head hears every watermark, repeated or final")
                    .containsExactly(
                            "chunk 1:[1, 2]",
                            "marker 0",
                            "marker 0",
                            "chunk 2:[3]",
                            "marker 1",
                            "marker 2",
                            "marker " + Long.MAX_VALUE);
        }
    }

    @Test
    void aRestoredTailSummarizesEachRoundOnceAndCountsTheRoundInProgress() throws Exception {
        OperatorSubtaskState state;
        try (OneInputStreamOperatorTestHarness<IterationRecord<Integer>, RoundSummary> tail =
                open(tail(true, true), 2, 0)) {
            tail.processElement(new StreamRecord<>(new IterationRecord<>(0, 1)));
            tail.processWatermark(0);
            tail.processElement(new StreamRecord<>(new IterationRecord<>(1, 2)));
            tail.processElement(new StreamRecord<>(new IterationRecord<>(1, 3)));
            state = tail.snapshot(1, 1);

            assertThat(head.taken())
                    .as("the snapshot hands over the chunk of the round in progress")
                    .containsExactly("chunk 1:[1]", "marker 0", "chunk 2:[2, 3]");
        }

        OneInputStreamOperatorTestHarness<IterationRecord<Integer>, RoundSummary> restored =
                harness(tail(true, true), 2, 0);
        restored.initializeState(state);
        restored.open();
        try (restored) {
            listen(restored);
            restored.processWatermark(0);
            restored.processWatermark(1);

            assertThat(summaries(restored))
                    .containsExactly("variable 1, subtask 0/2, round 1, fed back 2");
        }
    }

    private static TailOperator<Integer> tail(boolean summarizes, boolean lockStep) {
        return new TailOperator<>(ITERATION, VARIABLE, 1, summarizes, lockStep);
    }

    private static OneInputStreamOperatorTestHarness<IterationRecord<Integer>, RoundSummary>
            harness(TailOperator<Integer> tail, int parallelism, int subtask) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(
                tail, 128, parallelism, subtask, SERIALIZER, new OperatorID());
    }

    private OneInputStreamOperatorTestHarness<IterationRecord<Integer>, RoundSummary> open(
            TailOperator<Integer> tail, int parallelism, int subtask) throws Exception {
        OneInputStreamOperatorTestHarness<IterationRecord<Integer>, RoundSummary> harness =
                harness(tail, parallelism, subtask);
        harness.open();
        listen(harness);
        return harness;
    }

    /** Reads the tail's channel where its head would. */
    private void listen(
            OneInputStreamOperatorTestHarness<IterationRecord<Integer>, RoundSummary> tail)
            throws Exception {
        head.listen(tail.getOperator(), ITERATION, VARIABLE);
    }

    private static List<String> summaries(
            OneInputStreamOperatorTestHarness<IterationRecord<Integer>, RoundSummary> tail) {
        List<String> summaries = new ArrayList<>();
        for (RoundSummary summary : tail.extractOutputValues()) {
            summaries.add(
                    "variable "
                            + summary.variable
                            + ", subtask "
                            + summary.subtask
                            + "/"
                            + summary.parallelism
                            + ", round "
                            + summary.round
                            + ", fed back "
                            + summary.feedbackRecords);
        }
        return summaries;
    }
}
