package io.github.flinkiteration.runtime.wrapper;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.api.IterationRuntimeContext;
import io.github.flinkiteration.api.RoundAwareProcessFunction;
import io.github.flinkiteration.runtime.ForgedProgress;
import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.record.IterationRecordSerializer;
import io.github.flinkiteration.runtime.wrapper.RoundWrapperOperatorFactory.Arity;
import java.util.ArrayList;
import java.util.List;
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

/**
 * A round wrapper carries on past round {@link Integer#MAX_VALUE}: rounds start and end in order, a
 * record that runs ahead waits for its round, records and watermarks carry the exact round, and the
 * API's {@code int} rounds stop at {@link Integer#MAX_VALUE} while {@link
 * IterationRuntimeContext#currentRoundExact()} goes on. The wrapper is restored from a snapshot
 * holding the progress of a run that long ({@link ForgedProgress}).
 */
class WrapperRoundsPastIntTest {

    private static final IterationRecordSerializer<String> SERIALIZER =
            new IterationRecordSerializer<>(StringSerializer.INSTANCE);

    private static final long LAST_INT = Integer.MAX_VALUE;
    private static final long FIRST_PAST = LAST_INT + 1;

    @Test
    void roundsStartAndEndInOrderAcrossTheIntBoundary() throws Exception {
        try (OneInputStreamOperatorTestHarness<IterationRecord<String>, IterationRecord<String>>
                wrapper = restoredAfter(LAST_INT - 1, true, new Listening())) {
            wrapper.processElement(record(LAST_INT, "a"));
            // Lock-step: a record of the next round waits until this round ended here.
            wrapper.processElement(record(FIRST_PAST, "early"));
            wrapper.processWatermark(LAST_INT);
            wrapper.processWatermark(FIRST_PAST);

            assertThat(output(wrapper))
                    .containsExactly(
                            "wm 2147483646",
                            "2147483647:start 2147483647 exact 2147483647",
                            "2147483647:a in 2147483647 exact 2147483647",
                            "2147483647:end 2147483647 exact 2147483647",
                            "wm 2147483647",
                            "2147483648:start 2147483647 exact 2147483648",
                            "2147483648:early in 2147483647 exact 2147483648",
                            "2147483648:end 2147483647 exact 2147483648",
                            "wm 2147483648");
        }
    }

    @Test
    void aRoundAwareFunctionSeesTheLastIntRoundFromThereOn() throws Exception {
        try (OneInputStreamOperatorTestHarness<IterationRecord<String>, IterationRecord<String>>
                wrapper = restoredAfter(LAST_INT - 1, false, new RoundAware())) {
            wrapper.processElement(record(LAST_INT, "a"));
            wrapper.processElement(record(FIRST_PAST, "b"));
            wrapper.processElement(record(FIRST_PAST + 1, "c"));

            assertThat(output(wrapper))
                    .containsExactly(
                            "wm 2147483646",
                            "2147483647:a in 2147483647",
                            "2147483648:b in 2147483647",
                            "2147483649:c in 2147483647");
        }
    }

    /**
     * A wrapper of one input restored from a snapshot in which round {@code ended} had ended and
     * the input's watermark stood there.
     */
    private static OneInputStreamOperatorTestHarness<
                    IterationRecord<String>, IterationRecord<String>>
            restoredAfter(long ended, boolean lockStep, ProcessFunction<String, String> function)
                    throws Exception {
        // combinedRound, startedRound, endedRound, then the input's round and whether it ended.
        OperatorSubtaskState state =
                ForgedProgress.at(1, 0)
                        .with("flink-iteration.round-progress", ended, ended, ended, ended, 0)
                        .snapshot();
        OneInputStreamOperatorTestHarness<IterationRecord<String>, IterationRecord<String>>
                harness =
                        new OneInputStreamOperatorTestHarness<>(
                                new RoundWrapperOperatorFactory<>(
                                        SimpleOperatorFactory.of(new ProcessOperator<>(function)),
                                        Arity.ONE,
                                        lockStep,
                                        false),
                                128,
                                1,
                                0);
        harness.getStreamConfig().setupNetworkInputs(SERIALIZER);
        harness.getStreamConfig().serializeAllConfigs();
        harness.setup(SERIALIZER);
        harness.initializeState(state);
        harness.open();
        return harness;
    }

    private static StreamRecord<IterationRecord<String>> record(long round, String value) {
        return new StreamRecord<>(new IterationRecord<>(round, value));
    }

    private static List<String> output(
            OneInputStreamOperatorTestHarness<?, IterationRecord<String>> harness) {
        List<String> described = new ArrayList<>();
        for (Object element : harness.getOutput()) {
            if (element instanceof Watermark) {
                described.add("wm " + ((Watermark) element).getTimestamp());
            } else {
                IterationRecord<?> record =
                        (IterationRecord<?>) ((StreamRecord<?>) element).getValue();
                described.add(record.getRound() + ":" + record.getValue());
            }
        }
        return described;
    }

    /** Writes each call into its output with the API's round and the exact one. */
    private static final class Listening extends ProcessFunction<String, String>
            implements IterationListener<String> {

        @Override
        public void processElement(
                String value,
                ProcessFunction<String, String>.Context context,
                Collector<String> out) {
            out.collect(value + " in " + IterationRuntimeContext.currentRound() + exact());
        }

        @Override
        public void onRoundStart(
                int round, IterationListener.Context context, Collector<String> out) {
            out.collect("start " + round + exact());
        }

        @Override
        public void onRoundEnd(
                int round, IterationListener.Context context, Collector<String> out) {
            out.collect("end " + round + exact());
        }

        private static String exact() {
            return " exact " + IterationRuntimeContext.currentRoundExact();
        }
    }

    /** Writes the round it is given. */
    private static final class RoundAware extends RoundAwareProcessFunction<String, String> {
        @Override
        public void processElement(String value, int round, Context ctx, Collector<String> out) {
            out.collect(value + " in " + round);
        }
    }
}
