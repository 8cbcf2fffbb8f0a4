package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.TerminationCondition;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Round watermarks leave every operator at once. With a buffer timeout of -1 Flink flushes a
 * network buffer only when it is full, so a loop over several network hops can only make progress
 * through the runtime's own flushes; without them this test hangs until its timeout.
 */
class RoundFlushTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void roundsProgressWithoutFlinksFlushTimer() throws Exception {
        int rounds = 10;
        StreamExecutionEnvironment env = TestCluster.env(2);
        env.setBufferTimeout(-1);
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable("x", env.fromData(0).setParallelism(1))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> x = inputs.get("x");
                                    // Broadcast, a parallelism change, a side output and a
                                    // second consumer: outputs Flink wraps in several ways.
                                    DataStream<Integer> next =
                                            x.broadcast()
                                                    .map(v -> v + 1)
                                                    .setParallelism(2)
                                                    .filter(v -> true)
                                                    .setParallelism(1);
                                    return IterationDeclaration.builder()
                                            .withFeedback(
                                                    "x",
                                                    next.rebalance().map(v -> v).setParallelism(1))
                                            .withOutput("next", next)
                                            .until(TerminationCondition.maxRounds(rounds))
                                            .build();
                                })
                        .apply();
        List<Integer> seen = TestCluster.collect(results.get("next"));

        // Each round's records are broadcast to the 2 map subtasks: round r emits 2^(r + 1).
        long expected = 0;
        for (int round = 0; round < rounds; round++) {
            expected += 1L << (round + 1);
        }
        assertThat(seen).hasSize((int) expected);
    }
}
