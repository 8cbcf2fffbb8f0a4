package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.TerminationCondition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Listener callbacks come once per subtask and round, in order, around the round's records. */
class ListenerTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    private static final OutputTag<String> TERMINATED =
            new OutputTag<>("terminated", org.apache.flink.api.common.typeinfo.Types.STRING);

    @Test
    void callbacksComeOncePerSubtaskAndRoundInOrder() throws Exception {
        int rounds = 5;
        int listenerParallelism = 4;
        List<Integer> initial = IntStream.range(0, 40).boxed().collect(Collectors.toList());
        StreamExecutionEnvironment env = TestCluster.env(2);
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable("x", env.fromData(initial))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> x = inputs.get("x");
                                    var events =
                                            x.rebalance()
                                                    .process(new EventRecorder(TERMINATED))
                                                    .setParallelism(listenerParallelism);
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", x.map(v -> v + 1))
                                            .withOutput("events", events)
                                            .withOutput(
                                                    "terminated", events.getSideOutput(TERMINATED))
                                            .until(TerminationCondition.maxRounds(rounds))
                                            .build();
                                })
                        .apply();
        TestCluster.Collected<String> events = TestCluster.collectLater(results.get("events"));
        TestCluster.Collected<String> terminated =
                TestCluster.collectLater(results.get("terminated"));
        env.execute();

        Map<String, List<String>> bySubtask = new TreeMap<>();
        for (String event : events.list()) {
            String[] parts = event.split(":", 2);
            bySubtask.computeIfAbsent(parts[0], k -> new ArrayList<>()).add(parts[1]);
        }
        assertThat(bySubtask).hasSize(listenerParallelism);
        int records = 0;
        for (List<String> sequence : bySubtask.values()) {
            int at = 0;
            for (int round = 0; round < rounds; round++) {
                assertThat(sequence.get(at++)).isEqualTo("start " + round);
                while (sequence.get(at).startsWith("record ")) {
                    assertThat(sequence.get(at++)).isEqualTo("record " + round);
                    records++;
                }
                assertThat(sequence.get(at++)).isEqualTo("end " + round);
            }
            assertThat(sequence.get(at++)).isEqualTo("terminated");
            assertThat(at).isEqualTo(sequence.size());
        }
        assertThat(records).isEqualTo(initial.size() * rounds);
        // Records emitted from onIterationTerminated leave through the outputs, side outputs too.
        assertThat(terminated.list()).hasSize(listenerParallelism);
    }

    @Test
    void aThrowingCallbackFailsTheJobNamingOperatorCallbackAndRound() {
        Configuration configuration = new Configuration();
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(1);
        new BoundedIteration()
                .bindVariable("x", env.fromData(1, 2, 3))
                .withBody(
                        (inputs, context) -> {
                            DataStream<Integer> x = inputs.get("x");
                            return IterationDeclaration.builder()
                                    .withFeedback("x", x.map(new FailsAtEndOfRound(2)).name("step"))
                                    .until(TerminationCondition.maxRounds(5))
                                    .build();
                        })
                .apply();

        assertThatThrownBy(env::execute)
                .hasStackTraceContaining(
                        "IterationListener#onRoundEnd of operator 'step' (subtask 0) threw in"
                                + " round 2")
                .hasStackTraceContaining("no model for round 2");
    }

    /** Passes records on, and fails at the end of one round. */
    private static final class FailsAtEndOfRound
            implements MapFunction<Integer, Integer>, IterationListener<Integer> {
        private final int failingRound;

        FailsAtEndOfRound(int failingRound) {
            this.failingRound = failingRound;
        }

        @Override
        public Integer map(Integer value) {
            return value;
        }

        @Override
        public void onRoundEnd(int round, Context context, Collector<Integer> out) {
            if (round == failingRound) {
                throw new IllegalStateException("no model for round " + round);
            }
        }
    }
}
