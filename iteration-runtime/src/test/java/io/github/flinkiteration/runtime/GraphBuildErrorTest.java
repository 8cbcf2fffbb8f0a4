package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationBody;
import io.github.flinkiteration.api.IterationConfig;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.OperatorLifecycle;
import io.github.flinkiteration.api.TerminationCondition;
import io.github.flinkiteration.api.UnboundedIteration;
import io.github.flinkiteration.testing.ControlledSource;
import java.util.Map;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;

/** Each invalid iteration fails while the graph is built, naming what is wrong. */
class GraphBuildErrorTest {

    private final StreamExecutionEnvironment env = TestCluster.env(2);
    private final DataStream<Integer> numbers = env.fromData(1, 2, 3);

    private BoundedIteration iteration(IterationBody body) {
        return new BoundedIteration().bindVariable("x", numbers).withBody(body);
    }

    private static IterationDeclaration feedBack(DataStream<Integer> x) {
        return IterationDeclaration.builder().withFeedback("x", x.map(v -> v + 1)).build();
    }

    @Test
    void unknownInputName() {
        assertThatThrownBy(() -> iteration((inputs, context) -> feedBack(inputs.get("y"))).apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no input named 'y'")
                .hasMessageContaining("[x]");
    }

    @Test
    void duplicateBoundName() {
        assertThatThrownBy(
                        () ->
                                new BoundedIteration()
                                        .bindVariable("x", numbers)
                                        .bindData("x", numbers))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'x' is already bound");
    }

    @Test
    void duplicateOutputName() {
        assertThatThrownBy(
                        () ->
                                IterationDeclaration.builder()
                                        .withOutput("out", numbers)
                                        .withOutput("out", numbers))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Output 'out' is declared twice");
    }

    @Test
    void variableWithoutFeedback() {
        assertThatThrownBy(
                        () ->
                                iteration(
                                                (inputs, context) ->
                                                        IterationDeclaration.builder()
                                                                .withOutput("out", inputs.get("x"))
                                                                .build())
                                        .apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Variable 'x' has no feedback stream")
                .hasMessageContaining("withFeedback(\"x\"");
    }

    @Test
    void feedbackToUnknownVariable() {
        assertThatThrownBy(
                        () ->
                                iteration(
                                                (inputs, context) ->
                                                        IterationDeclaration.builder()
                                                                .withFeedback("x", inputs.get("x"))
                                                                .withFeedback("z", inputs.get("x"))
                                                                .build())
                                        .apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("feedback for 'z', which is not a variable");
    }

    @Test
    void secondFeedbackForOneVariable() {
        assertThatThrownBy(
                        () ->
                                IterationDeclaration.builder()
                                        .withFeedback("x", numbers)
                                        .withFeedback("x", numbers))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Variable 'x' already has a feedback stream");
    }

    @Test
    void bodyUsesAStreamNotDerivedFromItsInputs() {
        DataStream<Integer> outside = env.fromData(7, 8).map(v -> v).name("outside-map");
        assertThatThrownBy(
                        () ->
                                iteration(
                                                (inputs, context) -> {
                                                    DataStream<Integer> x = inputs.get("x");
                                                    return feedBack(x.union(outside));
                                                })
                                        .apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'outside-map'")
                .hasMessageContaining("not built from the body's inputs")
                .hasMessageContaining("bindData");
    }

    @Test
    void sourceInsideTheBody() {
        assertThatThrownBy(
                        () ->
                                iteration(
                                                (inputs, context) -> {
                                                    DataStream<Integer> x = inputs.get("x");
                                                    DataStream<Integer> inner =
                                                            x.getExecutionEnvironment()
                                                                    .fromData(5)
                                                                    .name("inner-source");
                                                    return feedBack(x.union(inner));
                                                })
                                        .apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'inner-source'")
                .hasMessageContaining("Sources cannot be created inside an iteration body");
    }

    @Test
    void sinkInsideTheBody() {
        assertThatThrownBy(
                        () ->
                                iteration(
                                                (inputs, context) -> {
                                                    DataStream<Integer> x = inputs.get("x");
                                                    x.sinkTo(new DiscardingSink<>())
                                                            .name("inner-sink");
                                                    return feedBack(x);
                                                })
                                        .apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'inner-sink'")
                .hasMessageContaining("Sinks cannot be added inside an iteration body");
    }

    @Test
    void watermarkAssignmentInsideTheBody() {
        assertThatThrownBy(
                        () ->
                                iteration(
                                                (inputs, context) ->
                                                        feedBack(
                                                                inputs.<Integer>get("x")
                                                                        .assignTimestampsAndWatermarks(
                                                                                WatermarkStrategy
                                                                                        .noWatermarks())))
                                        .apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("assign timestamps and watermarks before binding");
    }

    @Test
    void nullDeclaration() {
        assertThatThrownBy(() -> iteration((inputs, context) -> null).apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("returned null");
    }

    @Test
    void noVariable() {
        assertThatThrownBy(
                        () ->
                                new BoundedIteration()
                                        .bindData("d", numbers)
                                        .withBody((inputs, context) -> null)
                                        .apply())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("at least one variable");
    }

    @Test
    void terminationConditionOnAnUnboundedIteration() {
        assertThatThrownBy(
                        () ->
                                new UnboundedIteration()
                                        .bindVariable("x", numbers)
                                        .withBody(
                                                (inputs, context) -> {
                                                    DataStream<Integer> x = inputs.get("x");
                                                    return IterationDeclaration.builder()
                                                            .withFeedback("x", x.map(v -> v + 1))
                                                            .until(
                                                                    TerminationCondition.maxRounds(
                                                                            3))
                                                            .build();
                                                })
                                        .apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("UnboundedIteration declares a termination condition")
                .hasMessageContaining("remove until(...)");
    }

    @Test
    void constantFromAnUnboundedSource() {
        try (ControlledSource.Gate gate = ControlledSource.newGate()) {
            DataStream<Long> endless =
                    env.fromSource(
                            ControlledSource.unbounded(gate, i -> i, Types.LONG),
                            WatermarkStrategy.noWatermarks(),
                            "endless");
            assertThatThrownBy(
                            () ->
                                    new BoundedIteration()
                                            .bindVariable("x", numbers)
                                            .bindConstant("c", endless.map(v -> v))
                                            .withBody(
                                                    (inputs, context) -> feedBack(inputs.get("x")))
                                            .apply())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("constant 'c'")
                    .hasMessageContaining("unbounded source 'endless'")
                    .hasMessageContaining("bindData");
        }
    }

    @Test
    void unboundedIterationWithoutVariable() {
        assertThatThrownBy(
                        () ->
                                new UnboundedIteration()
                                        .bindData("d", numbers)
                                        .withBody((inputs, context) -> null)
                                        .apply())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("at least one variable");
    }

    @Test
    void streamsOfTwoEnvironments() {
        DataStream<Integer> other = TestCluster.env(2).fromData(1);
        assertThatThrownBy(
                        () ->
                                new BoundedIteration()
                                        .bindVariable("x", numbers)
                                        .bindData("d", other)
                                        .withBody((inputs, context) -> feedBack(inputs.get("x")))
                                        .apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'x' and 'd' belong to different");
    }

    @Test
    void batchRuntimeMode() {
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        assertThatThrownBy(() -> iteration((inputs, context) -> feedBack(inputs.get("x"))).apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("STREAMING");
    }

    @Test
    void unalignedCheckpointsAreRejected() {
        env.enableCheckpointing(200);
        env.getCheckpointConfig().enableUnalignedCheckpoints();
        assertThatThrownBy(() -> iteration((inputs, context) -> feedBack(inputs.get("x"))).apply())
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("aligned checkpoints only");
    }

    @Test
    void perRoundLifecycleInAnUnboundedIteration() {
        assertThatThrownBy(
                        () ->
                                new UnboundedIteration()
                                        .bindVariable("x", numbers)
                                        .withConfig(
                                                IterationConfig.builder()
                                                        .defaultLifecycle(
                                                                OperatorLifecycle.PER_ROUND)
                                                        .build())
                                        .withBody((inputs, context) -> feedBack(inputs.get("x")))
                                        .apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("need a bounded iteration")
                .hasMessageContaining("IterationListener#onRoundEnd");
    }

    @Test
    void forEachRoundInAnUnboundedIteration() {
        assertThatThrownBy(
                        () ->
                                new UnboundedIteration()
                                        .bindVariable("x", numbers)
                                        .withBody(
                                                (inputs, context) -> {
                                                    context.forEachRound(Map::of);
                                                    return feedBack(inputs.get("x"));
                                                })
                                        .apply())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("forEachRound")
                .hasMessageContaining("need a bounded iteration");
    }

    @Test
    void forEachRoundReturningNull() {
        assertThatThrownBy(
                        () ->
                                iteration(
                                                (inputs, context) -> {
                                                    context.forEachRound(() -> null);
                                                    return feedBack(inputs.get("x"));
                                                })
                                        .apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("forEachRound returned null");
    }
}
