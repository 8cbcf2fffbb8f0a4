package io.github.flinkiteration.runtime.wrapper;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.runtime.TwoInputFactoryHarness;
import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.record.IterationRecordSerializer;
import io.github.flinkiteration.runtime.wrapper.RoundWrapperOperatorFactory.Arity;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.co.CoProcessFunction;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.operators.co.CoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/**
 * Round wrappers built by {@link RoundWrapperOperatorFactory}, in Flink's operator harness, around
 * a user function that is an {@link IterationListener}. The function writes every call into its
 * output ({@code "start r"}, {@code "end r"}, the value with a {@code !}), so the harness's output
 * shows the callbacks, the records and the round watermarks in the one order they happened.
 */
class RoundWrapperTest {

    private static final IterationRecordSerializer<String> SERIALIZER =
            new IterationRecordSerializer<>(StringSerializer.INSTANCE);

    @Test
    void eachRoundEndsWithOnRoundEndAndThenItsWatermark() throws Exception {
        try (OneInputStreamOperatorTestHarness<IterationRecord<String>, IterationRecord<String>>
                wrapper = oneInput(true)) {
            wrapper.open();
            wrapper.processElement(record(0, "a"));
            wrapper.processElement(record(0, "b"));
            wrapper.processWatermark(0);

            assertThat(output(wrapper))
                    .containsExactly("0:start 0", "0:a!", "0:b!", "0:end 0", "wm 0");
        }
    }

    @Test
    void roundsWithoutRecordsStillStartAndEndInOrder() throws Exception {
        try (OneInputStreamOperatorTestHarness<IterationRecord<String>, IterationRecord<String>>
                wrapper = oneInput(true)) {
            wrapper.open();
            wrapper.processWatermark(0);
            wrapper.processWatermark(2);
            // A restored upstream subtask sends its last round watermark again.
            wrapper.processWatermark(1);

            assertThat(output(wrapper))
                    .containsExactly(
                            "0:start 0",
                            "0:end 0",
                            "wm 0",
                            "1:start 1",
                            "1:end 1",
                            "wm 1",
                            "2:start 2",
                            "2:end 2",
                            "wm 2");
        }
    }

    @Test
    void inLockStepARecordOfTheNextRoundWaitsForTheEndOfTheRound() throws Exception {
        try (OneInputStreamOperatorTestHarness<IterationRecord<String>, IterationRecord<String>>
                wrapper = oneInput(true)) {
            wrapper.open();
            wrapper.processElement(record(0, "a"));
            wrapper.processElement(record(1, "early"));
            wrapper.processElement(record(0, "b"));
            wrapper.processWatermark(0);

            assertThat(output(wrapper))
                    .containsExactly(
                            "0:start 0",
                            "0:a!",
                            "0:b!",
                            "0:end 0",
                            "wm 0",
                            "1:start 1",
                            "1:early!");
        }
    }

    @Test
    void withoutLockStepARecordOfTheNextRoundIsProcessedAtOnce() throws Exception {
        try (OneInputStreamOperatorTestHarness<IterationRecord<String>, IterationRecord<String>>
                wrapper = oneInput(false)) {
            wrapper.open();
            wrapper.processElement(record(0, "a"));
            wrapper.processElement(record(1, "early"));
            wrapper.processElement(record(0, "b"));
            wrapper.processWatermark(0);

            assertThat(output(wrapper))
                    .as("starts in order, ends in order, a start may come before an end")
                    .containsExactly(
                            "0:start 0",
                            "0:a!",
                            "1:start 1",
                            "1:early!",
                            "0:b!",
                            "0:end 0",
                            "wm 0");
        }
    }

    @Test
    void theRoundIsTheMinimumOverBothInputs() throws Exception {
        try (TwoInputFactoryHarness<
                        IterationRecord<String>, IterationRecord<String>, IterationRecord<String>>
                wrapper = twoInputs()) {
            wrapper.open();
            wrapper.processElement1(record(0, "a"));
            wrapper.processWatermark1(0);
            wrapper.processElement2(record(0, "b"));

            assertThat(output(wrapper)).containsExactly("0:start 0", "0:a!", "0:b?");

            wrapper.processWatermark2(0);
            wrapper.processWatermark1(3);
            wrapper.processWatermark2(1);

            assertThat(output(wrapper))
                    .containsExactly(
                            "0:start 0",
                            "0:a!",
                            "0:b?",
                            "0:end 0",
                            "wm 0",
                            "1:start 1",
                            "1:end 1",
                            "wm 1");

            wrapper.processWatermark2(5);

            assertThat(output(wrapper))
                    .endsWith(
                            "wm 1", "2:start 2", "2:end 2", "wm 2", "3:start 3", "3:end 3", "wm 3");
        }
    }

    @Test
    void theIterationEndsOnceEveryInputEnded() throws Exception {
        try (TwoInputFactoryHarness<
                        IterationRecord<String>, IterationRecord<String>, IterationRecord<String>>
                wrapper = twoInputs()) {
            wrapper.open();
            wrapper.processElement1(record(0, "a"));
            wrapper.processWatermark1(0);
            wrapper.processWatermark2(Long.MAX_VALUE);
            wrapper.processElement1(record(1, "b"));
            wrapper.endInput(2);

            assertThat(output(wrapper))
                    .containsExactly("0:start 0", "0:a!", "0:end 0", "wm 0", "1:start 1", "1:b!");

            // In lock-step every round before the end ended by its own watermark: a round begun
            // after the last one (the last feedback, let in at termination) never ends.
            wrapper.processWatermark1(Long.MAX_VALUE);
            wrapper.endInput(1);
            // Flink ends an input again after a restore if it had ended before the checkpoint.
            wrapper.endInput(1);

            assertThat(output(wrapper))
                    .containsExactly(
                            "0:start 0",
                            "0:a!",
                            "0:end 0",
                            "wm 0",
                            "1:start 1",
                            "1:b!",
                            "0:terminated",
                            "wm max");
        }
    }

    @Test
    void withoutLockStepTheFinalWatermarkEndsTheRoundsBegun() throws Exception {
        try (OneInputStreamOperatorTestHarness<IterationRecord<String>, IterationRecord<String>>
                wrapper = oneInput(false)) {
            wrapper.open();
            wrapper.processElement(record(0, "a"));
            wrapper.processElement(record(1, "b"));
            wrapper.processWatermark(Long.MAX_VALUE);
            wrapper.endInput();

            assertThat(output(wrapper))
                    .containsExactly(
                            "0:start 0",
                            "0:a!",
                            "1:start 1",
                            "1:b!",
                            "0:end 0",
                            "wm 0",
                            "1:end 1",
                            "wm 1",
                            "1:terminated",
                            "wm max");
        }
    }

    @Test
    void aRestoredWrapperRepeatsItsLastWatermarkAndCallsNoCallbackTwice() throws Exception {
        OperatorSubtaskState state;
        try (OneInputStreamOperatorTestHarness<IterationRecord<String>, IterationRecord<String>>
                wrapper = oneInput(true)) {
            wrapper.open();
            wrapper.processElement(record(0, "a"));
            wrapper.processWatermark(0);
            wrapper.processElement(record(1, "b"));
            wrapper.processElement(record(2, "held")); // round 1 has not ended here
            state = wrapper.snapshot(1, 1);
        }

        try (OneInputStreamOperatorTestHarness<IterationRecord<String>, IterationRecord<String>>
                restored = oneInput(true)) {
            restored.initializeState(state);
            restored.open();
            restored.processWatermark(1);

            assertThat(output(restored))
                    .containsExactly("wm 0", "1:end 1", "wm 1", "2:start 2", "2:held!");
        }
    }

    private static OneInputStreamOperatorTestHarness<
                    IterationRecord<String>, IterationRecord<String>>
            oneInput(boolean lockStep) throws Exception {
        OneInputStreamOperatorTestHarness<IterationRecord<String>, IterationRecord<String>>
                harness =
                        new OneInputStreamOperatorTestHarness<>(
                                new RoundWrapperOperatorFactory<>(
                                        SimpleOperatorFactory.of(
                                                new ProcessOperator<>(new Listening())),
                                        Arity.ONE,
                                        lockStep,
                                        false),
                                128,
                                1,
                                0);
        // The wrapper checkpoints held records with its inputs' serializers.
        harness.getStreamConfig().setupNetworkInputs(SERIALIZER);
        harness.getStreamConfig().serializeAllConfigs();
        harness.setup(SERIALIZER);
        return harness;
    }

    private static TwoInputFactoryHarness<
                    IterationRecord<String>, IterationRecord<String>, IterationRecord<String>>
            twoInputs() throws Exception {
        TwoInputFactoryHarness<
                        IterationRecord<String>, IterationRecord<String>, IterationRecord<String>>
                harness =
                        new TwoInputFactoryHarness<>(
                                new RoundWrapperOperatorFactory<>(
                                        SimpleOperatorFactory.of(
                                                new CoProcessOperator<>(new CoListening())),
                                        Arity.TWO,
                                        true,
                                        false),
                                128,
                                1,
                                0);
        harness.getStreamConfig().setupNetworkInputs(SERIALIZER, SERIALIZER);
        harness.getStreamConfig().serializeAllConfigs();
        harness.setup(SERIALIZER);
        return harness;
    }

    private static StreamRecord<IterationRecord<String>> record(int round, String value) {
        return new StreamRecord<>(new IterationRecord<>(round, value));
    }

    private static List<String> output(AbstractStreamOperatorTestHarness<?> harness) {
        List<String> described = new ArrayList<>();
        for (Object element : harness.getOutput()) {
            if (element instanceof Watermark) {
                long round = ((Watermark) element).getTimestamp();
                described.add("wm " + (round == Long.MAX_VALUE ? "max" : round));
            } else {
                IterationRecord<?> record =
                        (IterationRecord<?>) ((StreamRecord<?>) element).getValue();
                described.add(record.getRound() + ":" + record.getValue());
            }
        }
        return described;
    }

    /** Writes each call into its output. */
    private static final class Listening extends ProcessFunction<String, String>
            implements IterationListener<String> {

        @Override
        public void processElement(
                String value,
                ProcessFunction<String, String>.Context context,
                Collector<String> out) {
            out.collect(value + "!");
        }

        @Override
        public void onRoundStart(
                int round, IterationListener.Context context, Collector<String> out) {
            out.collect("start " + round);
        }

        @Override
        public void onRoundEnd(
                int round, IterationListener.Context context, Collector<String> out) {
            out.collect("end " + round);
        }

        @Override
        public void onIterationTerminated(
                IterationListener.Context context, Collector<String> out) {
            out.collect("terminated");
        }
    }

    /** Writes each call into its output; records of the second input get a {@code ?}. */
    private static final class CoListening extends CoProcessFunction<String, String, String>
            implements IterationListener<String> {

        @Override
        public void processElement1(
                String value,
                CoProcessFunction<String, String, String>.Context context,
                Collector<String> out) {
            out.collect(value + "!");
        }

        @Override
        public void processElement2(
                String value,
                CoProcessFunction<String, String, String>.Context context,
                Collector<String> out) {
            out.collect(value + "?");
        }

        @Override
        public void onRoundStart(
                int round, IterationListener.Context context, Collector<String> out) {
            out.collect("start " + round);
        }

        @Override
        public void onRoundEnd(
                int round, IterationListener.Context context, Collector<String> out) {
            out.collect("end " + round);
        }

        @Override
        public void onIterationTerminated(
                IterationListener.Context context, Collector<String> out) {
            out.collect("terminated");
        }
    }
}
