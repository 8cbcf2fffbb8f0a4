package io.github.flinkiteration.flinkml;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/** Bodies and inputs that do not fit fail while the graph is built, with a clear message. */
class BuildErrorCompatTest {

    private final StreamExecutionEnvironment env = CompatCluster.env(4);

    @Test
    void noVariableStream() {
        assertThatThrownBy(
                        () ->
                                Iterations.iterateBoundedStreamsUntilTermination(
                                        DataStreamList.of(),
                                        ReplayableDataStreamList.replay(env.fromData(1, 2)),
                                        IterationConfig.newBuilder().build(),
                                        (variables, data) ->
                                                new IterationBodyResult(
                                                        DataStreamList.of(), DataStreamList.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one variable stream");
    }

    @Test
    void fewerFeedbackStreamsThanVariables() {
        assertThatThrownBy(
                        () ->
                                bounded(
                                        (variables, data) ->
                                                new IterationBodyResult(
                                                        DataStreamList.of(
                                                                variables
                                                                        .<Integer>get(0)
                                                                        .map(v -> v + 1)),
                                                        DataStreamList.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 feedback stream(s) for 2 variable stream(s)");
    }

    @Test
    void feedbackOfAnotherType() {
        assertThatThrownBy(
                        () ->
                                bounded(
                                        (variables, data) ->
                                                new IterationBodyResult(
                                                        DataStreamList.of(
                                                                variables.get(0),
                                                                variables
                                                                        .<String>get(1)
                                                                        .map(String::length)),
                                                        DataStreamList.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Feedback stream 1 has type Integer")
                .hasMessageContaining("variable stream 1 has type String");
    }

    @Test
    void criteriaStreamInAnUnboundedIteration() {
        assertThatThrownBy(
                        () ->
                                Iterations.iterateUnboundedStreams(
                                        DataStreamList.of(env.fromData(1, 2)),
                                        DataStreamList.of(),
                                        (variables, data) -> {
                                            DataStream<Integer> next = variables.get(0);
                                            return new IterationBodyResult(
                                                    DataStreamList.of(next),
                                                    DataStreamList.of(),
                                                    next);
                                        }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unbounded iteration takes no termination criteria");
    }

    @Test
    void criteriaStreamFromOutsideTheBody() {
        DataStream<Integer> outside = env.fromData(1, 2, 3).map(v -> v).name("outside-criteria");
        assertThatThrownBy(
                        () ->
                                bounded(
                                        (variables, data) ->
                                                new IterationBodyResult(
                                                        DataStreamList.of(
                                                                variables.get(0), variables.get(1)),
                                                        DataStreamList.of(),
                                                        outside)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("criteria stream 'outside-criteria'")
                .hasMessageContaining("not built from the body's variable streams");
    }

    @Test
    void forEachRoundOutsideABody() {
        assertThatThrownBy(
                        () ->
                                IterationBody.forEachRound(
                                        DataStreamList.of(env.fromData(1)), in -> in))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("while an IterationBody");
    }

    private DataStreamList bounded(IterationBody body) {
        return Iterations.iterateBoundedStreamsUntilTermination(
                DataStreamList.of(env.fromData(1, 2, 3), env.fromData(List.of("a", "b"))),
                ReplayableDataStreamList.notReplay(),
                IterationConfig.newBuilder().build(),
                body);
    }
}
