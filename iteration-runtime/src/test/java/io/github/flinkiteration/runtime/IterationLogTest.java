package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.IterationLogOptions;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.TerminationCondition;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the runtime logs about an iteration: its start, its progress and its end. */
class IterationLogTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    @Test
    void logsStartEveryRoundsProgressOnceAndTheEndWithRoundAndReason() throws Exception {
        int maxRounds = 5;
        Configuration configuration = new Configuration();
        // A progress line per round, so the test sees how many subtasks write them.
        configuration.set(IterationLogOptions.PROGRESS_INTERVAL, Duration.ZERO);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(2);
        try (LogCapture log = LogCapture.capture()) {
            ResultStreams results =
                    new BoundedIteration()
                            .name("logged")
                            .bindVariable(
                                    "x",
                                    env.fromData(1, 2, 3, 4)
                                            .rebalance()
                                            .map(v -> v)
                                            .returns(Types.INT))
                            .bindVariable(
                                    "y",
                                    env.fromData(5, 6).rebalance().map(v -> v).returns(Types.INT))
                            .withBody(
                                    (inputs, context) -> {
                                        DataStream<Integer> x = inputs.get("x");
                                        DataStream<Integer> y = inputs.get("y");
                                        return IterationDeclaration.builder()
                                                .withFeedback("x", x.map(v -> v + 1))
                                                .withFeedback("y", y.map(v -> v + 1))
                                                .withOutput("x", x)
                                                .until(TerminationCondition.maxRounds(maxRounds))
                                                .build();
                                    })
                            .apply();
            results.<Integer>get("x").sinkTo(new DiscardingSink<>());
            env.execute();

            assertThat(log.linesWith("Iteration 'logged' built"))
                    .singleElement()
                    .asString()
                    .startsWith("INFO")
                    .contains("variables [x (p=2), y (p=2)]", "maxRounds(5)");
            assertThat(log.linesWith("Iteration 'logged' starts"))
                    .singleElement()
                    .asString()
                    .contains("2 variable(s)", "at most 5 rounds");
            // Two variables at parallelism 2 each: still one line per round, from one subtask.
            for (int round = 0; round < maxRounds; round++) {
                assertThat(log.linesWith("Iteration 'logged': round " + round + " complete,"))
                        .singleElement()
                        .asString()
                        .startsWith("INFO")
                        .containsPattern(Pattern.compile("[0-9.]+ rounds/s"));
            }
            List<String> end = log.linesWith("Iteration 'logged' ended");
            assertThat(end)
                    .singleElement()
                    .asString()
                    .startsWith("INFO")
                    .contains("after round " + (maxRounds - 1) + " (" + maxRounds + " rounds)")
                    .endsWith(": max-rounds");
        }
    }
}
