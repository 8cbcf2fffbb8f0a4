package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.TerminationCondition;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Unaligned checkpoints would store channel contents apart from the feedback the loop logs, so a
 * job with an iteration rejects them when it starts, for good and with a clear message.
 */
class UnalignedCheckpointsTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    @Test
    void jobWithUnalignedCheckpointsFailsAtStartWithAClearMessage() {
        StreamExecutionEnvironment env = TestCluster.env(2);
        DataStream<Integer> out =
                new BoundedIteration()
                        .bindVariable("x", env.fromData(1, 2))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> next =
                                            inputs.<Integer>get("x").map(v -> v + 1);
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", next)
                                            .withOutput("x", next)
                                            .until(TerminationCondition.maxRounds(3))
                                            .build();
                                })
                        .apply()
                        .get("x");
        out.sinkTo(new DiscardingSink<>());
        env.enableCheckpointing(200);
        env.getCheckpointConfig().enableUnalignedCheckpoints();

        assertThatThrownBy(env::execute)
                .satisfies(
                        e ->
                                ExceptionUtils.findThrowableWithMessage(
                                                e, "aligned checkpoints only")
                                        .orElseThrow(() -> new AssertionError(e)));
    }
}
