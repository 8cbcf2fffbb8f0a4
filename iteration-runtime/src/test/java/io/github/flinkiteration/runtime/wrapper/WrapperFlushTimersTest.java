package io.github.flinkiteration.runtime.wrapper;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.runtime.record.IterationRecord;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The wrappers where records enter and leave an unbounded iteration flush eagerly only when they
 * write to the network. In Flink's operator harness their output is chained (no network writer
 * behind it), as when the output is chained into the map that consumes it: two records in quick
 * succession would otherwise leave a flush timer behind, which only wakes the task.
 */
class WrapperFlushTimersTest {

    @Test
    void anInputChainedToItsConsumerSetsNoFlushTimer() throws Exception {
        try (OneInputStreamOperatorTestHarness<String, IterationRecord<String>> input =
                new OneInputStreamOperatorTestHarness<>(new InputWrapOperator<>(true))) {
            input.open();
            input.processElement(new StreamRecord<>("a"));
            input.processElement(new StreamRecord<>("b"));

            assertThat(input.extractOutputValues())
                    .extracting(IterationRecord::getValue)
                    .containsExactly("a", "b");
            assertThat(input.getProcessingTimeService().getNumActiveTimers()).isZero();
        }
    }

    @Test
    void anOutputChainedToItsConsumerSetsNoFlushTimer() throws Exception {
        try (OneInputStreamOperatorTestHarness<IterationRecord<String>, String> output =
                new OneInputStreamOperatorTestHarness<>(new OutputUnwrapOperator<>(true))) {
            output.open();
            output.processElement(new StreamRecord<>(new IterationRecord<>(3, "a")));
            output.processElement(new StreamRecord<>(new IterationRecord<>(3, "b")));

            assertThat(output.extractOutputValues()).containsExactly("a", "b");
            assertThat(output.getProcessingTimeService().getNumActiveTimers()).isZero();
        }
    }
}
