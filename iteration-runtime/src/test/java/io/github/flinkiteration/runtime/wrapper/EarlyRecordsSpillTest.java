package io.github.flinkiteration.runtime.wrapper;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.SpillOptions;
import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.record.IterationRecordSerializer;
import io.github.flinkiteration.runtime.wrapper.RoundWrapperOperatorFactory.Arity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lock-step body operator holds records of later rounds that arrive before its end of a round:
 * beyond {@link SpillOptions#EARLY_RECORDS_HEAP_RECORDS} they spill to a file per round, each round
 * comes back in the order its records arrived, through a checkpoint too, and the files are gone
 * once their round was released and when the operator closes. Flink's operator harness drives the
 * wrapper.
 */
class EarlyRecordsSpillTest {

    private static final IterationRecordSerializer<String> SERIALIZER =
            new IterationRecordSerializer<>(StringSerializer.INSTANCE);

    private static final int ON_HEAP = 3;

    @TempDir Path spillDir;

    @Test
    void recordsBeyondTheHeapLimitSpillAndComeBackInArrivalOrderRoundByRound() throws Exception {
        List<String> round1 = new ArrayList<>();
        List<String> round2 = new ArrayList<>();
        try (OneInputStreamOperatorTestHarness<IterationRecord<String>, IterationRecord<String>>
                wrapper = wrapper()) {
            wrapper.open();
            wrapper.processElement(record(0, "a"));
            for (int i = 0; i < 10; i++) {
                // Interleaved: the heap limit is reached in the middle of both rounds.
                wrapper.processElement(record(1, "one-" + i));
                round1.add("1:one-" + i);
                if (i % 2 == 0) {
                    wrapper.processElement(record(2, "two-" + i));
                    round2.add("2:two-" + i);
                }
            }
            assertThat(spillFiles()).as("a spill file for each held round").hasSize(2);
            assertThat(output(wrapper)).containsExactly("0:a");

            wrapper.getOutput().clear();
            wrapper.processWatermark(0);
            List<String> expected = new ArrayList<>(List.of("wm 0"));
            expected.addAll(round1);
            assertThat(output(wrapper)).containsExactlyElementsOf(expected);
            assertThat(spillFiles()).as("round 1's file went with its records").hasSize(1);

            wrapper.getOutput().clear();
            wrapper.processWatermark(1);
            expected = new ArrayList<>(List.of("wm 1"));
            expected.addAll(round2);
            assertThat(output(wrapper)).containsExactlyElementsOf(expected);
            assertThat(spillFiles()).isEmpty();
        }
    }

    @Test
    void spilledRecordsGoIntoTheCheckpointAndTheFilesGoWhenTheOperatorCloses() throws Exception {
        List<String> round1 = new ArrayList<>();
        OperatorSubtaskState state;
        try (OneInputStreamOperatorTestHarness<IterationRecord<String>, IterationRecord<String>>
                wrapper = wrapper()) {
            wrapper.open();
            for (int i = 0; i < 10; i++) {
                wrapper.processElement(record(1, "one-" + i));
                round1.add("1:one-" + i);
            }
            state = wrapper.snapshot(1, 1);
            assertThat(spillFiles()).hasSize(1);
        }
        assertThat(spillFiles()).as("closing (here without a finish) deletes them").isEmpty();

        try (OneInputStreamOperatorTestHarness<IterationRecord<String>, IterationRecord<String>>
                restored = wrapper()) {
            restored.initializeState(state);
            restored.open();
            assertThat(spillFiles()).as("the restored records spill again").hasSize(1);
            restored.processWatermark(0);

            List<String> expected = new ArrayList<>(List.of("wm 0"));
            expected.addAll(round1);
            assertThat(output(restored)).containsExactlyElementsOf(expected);
        }
        assertThat(spillFiles()).isEmpty();
    }

    private OneInputStreamOperatorTestHarness<IterationRecord<String>, IterationRecord<String>>
            wrapper() throws Exception {
        OneInputStreamOperatorTestHarness<IterationRecord<String>, IterationRecord<String>>
                harness =
                        new OneInputStreamOperatorTestHarness<>(
                                new RoundWrapperOperatorFactory<>(
                                        SimpleOperatorFactory.of(
                                                new ProcessOperator<>(new PassOn())),
                                        Arity.ONE,
                                        true,
                                        false),
                                128,
                                1,
                                0);
        harness.getEnvironment()
                .getJobConfiguration()
                .set(SpillOptions.EARLY_RECORDS_HEAP_RECORDS, ON_HEAP);
        harness.getEnvironment()
                .getJobConfiguration()
                .set(SpillOptions.SPILL_DIRECTORIES, List.of(spillDir.toString()));
        harness.getStreamConfig().setupNetworkInputs(SERIALIZER);
        harness.getStreamConfig().serializeAllConfigs();
        harness.setup(SERIALIZER);
        return harness;
    }

    private List<Path> spillFiles() throws Exception {
        try (Stream<Path> files = Files.list(spillDir)) {
            return files.toList();
        }
    }

    private static StreamRecord<IterationRecord<String>> record(int round, String value) {
        return new StreamRecord<>(new IterationRecord<>(round, value));
    }

    private static List<String> output(
            OneInputStreamOperatorTestHarness<IterationRecord<String>, IterationRecord<String>>
                    harness) {
        List<String> described = new ArrayList<>();
        for (Object element : harness.getOutput()) {
            if (element instanceof Watermark watermark) {
                described.add("wm " + watermark.getTimestamp());
            } else {
                IterationRecord<?> record =
                        (IterationRecord<?>) ((StreamRecord<?>) element).getValue();
                described.add(record.getRound() + ":" + record.getValue());
            }
        }
        return described;
    }

    /** Passes each value on. */
    private static final class PassOn extends ProcessFunction<String, String> {
        @Override
        public void processElement(
                String value,
                ProcessFunction<String, String>.Context context,
                Collector<String> out) {
            out.collect(value);
        }
    }
}
