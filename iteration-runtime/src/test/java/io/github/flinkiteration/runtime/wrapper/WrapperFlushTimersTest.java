package io.github.flinkiteration.runtime.wrapper;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.runtime.record.IterationRecord;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The wrappers where records enter and leave an unbounded iteration flush eagerly only when they
 * write to the network. In Flink's operator harness their output is chained (no network writer
 * behind it), as when the output is chained into the map that consumes it: records in quick
 * succession (two within a millisecond) would otherwise leave a flush timer behind, which only
 * wakes the task.
 */
class WrapperFlushTimersTest {

    /** Enough that some two come within a millisecond even on a loaded machine. */
    private static final int RECORDS = 100;

    @Test
    void anInputChainedToItsConsumerSetsNoFlushTimer() throws Exception {
        try (OneInputStreamOperatorTestHarness<String, IterationRecord<String>> input =
                new OneInputStreamOperatorTestHarness<>(new InputWrapOperator<>(true))) {
            input.open();
            for (int i = 0; i < RECORDS; i++) {
                input.processElement(new StreamRecord<>("r" + i));
            }

            assertThat(input.extractOutputValues())
                    .extracting(IterationRecord::getValue)
                    .hasSize(RECORDS)
                    .startsWith("r0", "r1");
            assertThat(input.getProcessingTimeService().getNumActiveTimers()).isZero();
        }
    }

    @Test
    void anOutputChainedToItsConsumerSetsNoFlushTimer() throws Exception {
        try (OneInputStreamOperatorTestHarness<IterationRecord<String>, String> output =
                new OneInputStreamOperatorTestHarness<>(new OutputUnwrapOperator<>(true))) {
            output.open();
            for (int i = 0; i < RECORDS; i++) {
                output.processElement(new StreamRecord<>(new IterationRecord<>(3, "r" + i)));
            }

            assertThat(output.extractOutputValues()).hasSize(RECORDS).startsWith("r0", "r1");
            assertThat(output.getProcessingTimeService().getNumActiveTimers()).isZero();
        }
    }
}
