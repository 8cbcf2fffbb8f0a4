package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.ConvergenceCriterion;
import io.github.flinkiteration.api.IterationBody;
import io.github.flinkiteration.api.IterationConfig;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.IterationInputs;
import io.github.flinkiteration.api.OperatorLifecycle;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.RoundAwareProcessFunction;
import io.github.flinkiteration.api.TerminationCondition;
import io.github.flinkiteration.api.UnboundedIteration;
import io.github.flinkiteration.testing.ControlledSource;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.coordination.OperatorCoordinator;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.CoordinatedOperatorFactory;
import org.apache.flink.streaming.api.operators.OneInputStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamMap;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.transformations.AbstractMultipleInputTransformation;
import org.apache.flink.streaming.api.transformations.PartitionTransformation;
import org.apache.flink.streaming.api.transformations.StreamExchangeMode;
import org.apache.flink.streaming.runtime.partitioner.RebalancePartitioner;
import org.apache.flink.util.Collector;
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
    void finalValueOfAnUnknownVariable() {
        assertThatThrownBy(() -> iteration((inputs, context) -> finalValueOf("y", inputs)).apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Output 'result' is the final value of 'y'")
                .hasMessageContaining("not a variable of this iteration")
                .hasMessageContaining("withFinalValue(\"result\", variable)");
    }

    @Test
    void finalValueOfAnUnboundedIteration() {
        assertThatThrownBy(
                        () ->
                                new UnboundedIteration()
                                        .bindVariable("x", numbers)
                                        .withBody((inputs, context) -> finalValueOf("x", inputs))
                                        .apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Output 'result' is the final value of variable 'x'")
                .hasMessageContaining("an UnboundedIteration has no last round")
                .hasMessageContaining("withOutput(\"result\", stream)");
    }

    @Test
    void finalValueWithTheLastFeedbackEnteringTheBody() {
        assertThatThrownBy(
                        () ->
                                new BoundedIteration()
                                        .bindVariable("x", numbers)
                                        .withConfig(
                                                IterationConfig.builder()
                                                        .lastFeedbackEntersBody(true)
                                                        .build())
                                        .withBody((inputs, context) -> finalValueOf("x", inputs))
                                        .apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Output 'result' is the final value of variable 'x'")
                .hasMessageContaining("lastFeedbackEntersBody(true)")
                .hasMessageContaining("Use one of them");
    }

    @Test
    void finalValueDeclaredTwice() {
        assertThatThrownBy(
                        () ->
                                IterationDeclaration.builder()
                                        .withFinalValue("a", "x")
                                        .withFinalValue("b", "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("final value of variable 'x' is already an output");
        assertThatThrownBy(
                        () ->
                                IterationDeclaration.builder()
                                        .withOutput("a", numbers)
                                        .withFinalValue("a", "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Output 'a' is declared twice");
    }

    private static IterationDeclaration finalValueOf(String variable, IterationInputs inputs) {
        DataStream<Integer> x = inputs.get("x");
        return IterationDeclaration.builder()
                .withFeedback("x", x.map(v -> v + 1))
                .withFinalValue("result", variable)
                .build();
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
            DataStream<Long> endless = endless(gate);
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
    void unalignedCheckpointsAreRejected() {
        env.enableCheckpointing(200);
        env.getCheckpointConfig().enableUnalignedCheckpoints();
        assertThatThrownBy(() -> iteration((inputs, context) -> feedBack(inputs.get("x"))).apply())
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("aligned checkpoints only");
    }

    @Test
    void atLeastOnceCheckpointsAreRejected() {
        env.enableCheckpointing(200);
        env.getCheckpointConfig().setCheckpointingConsistencyMode(CheckpointingMode.AT_LEAST_ONCE);
        assertThatThrownBy(() -> iteration((inputs, context) -> feedBack(inputs.get("x"))).apply())
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("Checkpoints are at-least-once")
                .hasMessageContaining("EXACTLY_ONCE");
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

    @Test
    void feedbackOfAnotherTypeThanItsVariable() {
        assertThatThrownBy(
                        () ->
                                iteration(
                                                (inputs, context) ->
                                                        IterationDeclaration.builder()
                                                                .withFeedback(
                                                                        "x",
                                                                        inputs.<Integer>get("x")
                                                                                .map(v -> v * 0.5)
                                                                                .name("halve"))
                                                                .build())
                                        .apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Variable 'x' is of type Integer")
                .hasMessageContaining("feedback stream 'halve' is of type Double")
                .hasMessageContaining("feed back a stream of Integer");
    }

    @Test
    void dataFromAnUnboundedSourceInABoundedIteration() {
        try (ControlledSource.Gate gate = ControlledSource.newGate()) {
            DataStream<Long> endless = endless(gate);
            assertThatThrownBy(
                            () ->
                                    new BoundedIteration()
                                            .bindVariable("x", numbers)
                                            .bindData("d", endless.map(v -> v))
                                            .withBody(
                                                    (inputs, context) -> feedBack(inputs.get("x")))
                                            .apply())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("data input 'd'")
                    .hasMessageContaining("unbounded source 'endless'")
                    .hasMessageContaining("use an UnboundedIteration");
        }
    }

    @Test
    void variableFromAnUnboundedSourceInABoundedIteration() {
        try (ControlledSource.Gate gate = ControlledSource.newGate()) {
            DataStream<Long> endless = endless(gate);
            assertThatThrownBy(
                            () ->
                                    new BoundedIteration()
                                            .bindVariable("v", endless)
                                            .withBody(
                                                    (inputs, context) ->
                                                            IterationDeclaration.builder()
                                                                    .withFeedback(
                                                                            "v", inputs.get("v"))
                                                                    .build())
                                            .apply())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("variable 'v'")
                    .hasMessageContaining("unbounded source 'endless'")
                    .hasMessageContaining("use an UnboundedIteration");
        }
    }

    @Test
    void asyncStateInAnAllRoundBody() {
        assertThatThrownBy(
                        () ->
                                iteration(
                                                (inputs, context) ->
                                                        feedBack(
                                                                asyncPass(
                                                                        inputs.get("x"),
                                                                        "async-pass")))
                                        .apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'async-pass'")
                .hasMessageContaining("async state")
                .hasMessageContaining("Remove enableAsyncState()");
    }

    @Test
    void asyncStateInAPerRoundBody() {
        assertThatThrownBy(
                        () ->
                                iteration(
                                                (inputs, context) -> {
                                                    DataStream<Integer> x = inputs.get("x");
                                                    ResultStreams perRound =
                                                            context.forEachRound(
                                                                    () ->
                                                                            Map.of(
                                                                                    "p",
                                                                                    asyncPass(
                                                                                            x,
                                                                                            "async-per-round")));
                                                    return feedBack(perRound.get("p"));
                                                })
                                        .apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'async-per-round'")
                .hasMessageContaining("Remove enableAsyncState()");
    }

    @Test
    void asyncReduce() {
        assertThatThrownBy(
                        () ->
                                iteration(
                                                (inputs, context) ->
                                                        feedBack(
                                                                inputs.<Integer>get("x")
                                                                        .keyBy(v -> v % 2)
                                                                        .enableAsyncState()
                                                                        .reduce(Integer::sum)
                                                                        .name("async-sum")))
                                        .apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'async-sum'")
                .hasMessageContaining("Remove enableAsyncState()");
    }

    @Test
    void terminationCheckOnDataOnly() {
        assertThatThrownBy(
                        () ->
                                new BoundedIteration()
                                        .bindVariable("x", numbers)
                                        .bindData("d", numbers)
                                        .withBody(
                                                (inputs, context) -> {
                                                    DataStream<Integer> d = inputs.get("d");
                                                    return IterationDeclaration.builder()
                                                            .withFeedback(
                                                                    "x",
                                                                    inputs.<Integer>get("x")
                                                                            .map(v -> v + 1))
                                                            .until(
                                                                    TerminationCondition.whenEmpty(
                                                                            d.filter(v -> v > 1)
                                                                                    .name(
                                                                                            "big-data")))
                                                            .build();
                                                })
                                        .apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whenEmpty reads 'big-data'")
                .hasMessageContaining("derived from data inputs only")
                .hasMessageContaining("from a variable (or a constant)");
    }

    @Test
    void anotherIterationsInput() {
        AtomicReference<DataStream<Integer>> otherInput = new AtomicReference<>();
        iteration(
                        (inputs, context) -> {
                            otherInput.set(inputs.get("x"));
                            return feedBack(inputs.get("x"));
                        })
                .apply();
        assertThatThrownBy(
                        () ->
                                iteration(
                                                (inputs, context) ->
                                                        feedBack(
                                                                inputs.<Integer>get("x")
                                                                        .union(otherInput.get())))
                                        .apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'Iteration input 'x''")
                .hasMessageContaining("an input of a different iteration")
                .hasMessageContaining("Use only the streams of this body's IterationInputs");
    }

    @Test
    void blockingExchange() {
        assertThatThrownBy(
                        () ->
                                iteration(
                                                (inputs, context) -> {
                                                    DataStream<Integer> x = inputs.get("x");
                                                    PartitionTransformation<Integer> blocking =
                                                            new PartitionTransformation<>(
                                                                    x.getTransformation(),
                                                                    new RebalancePartitioner<>(),
                                                                    StreamExchangeMode.BATCH);
                                                    return feedBack(
                                                            new DataStream<>(
                                                                    x.getExecutionEnvironment(),
                                                                    blocking));
                                                })
                                        .apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("blocking exchange in 'Partition'")
                .hasMessageContaining("Use a pipelined exchange");
    }

    @Test
    void operatorWithACoordinator() {
        assertThatThrownBy(
                        () ->
                                iteration(
                                                (inputs, context) ->
                                                        feedBack(
                                                                inputs.<Integer>get("x")
                                                                        .transform(
                                                                                "coordinated",
                                                                                Types.INT,
                                                                                new CoordinatedFactory())))
                                        .apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'coordinated'")
                .hasMessageContaining("has an operator coordinator")
                .hasMessageContaining("Apply it outside the body");
    }

    @Test
    void unsupportedMultipleInputKind() {
        assertThatThrownBy(
                        () ->
                                iteration(
                                                (inputs, context) -> {
                                                    DataStream<Integer> x = inputs.get("x");
                                                    OddInputs odd = new OddInputs();
                                                    odd.addInput(x.getTransformation());
                                                    return feedBack(
                                                            new DataStream<>(
                                                                    x.getExecutionEnvironment(),
                                                                    odd));
                                                })
                                        .apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'odd-inputs'")
                .hasMessageContaining("of kind OddInputs")
                .hasMessageContaining("MultipleInputTransformation");
    }

    @Test
    void unknownOutputName() {
        ResultStreams results =
                iteration(
                                (inputs, context) ->
                                        IterationDeclaration.builder()
                                                .withFeedback("x", inputs.get("x"))
                                                .withOutput("out", inputs.get("x"))
                                                .build())
                        .apply();
        assertThatThrownBy(() -> results.get("outt"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no output named 'outt'")
                .hasMessageContaining("Declared outputs: [out]")
                .hasMessageContaining("withOutput(\"outt\"");
    }

    @Test
    void roundAwareFunctionOutsideAnIteration() {
        RoundAwareProcessFunction<Integer, Integer> function =
                new RoundAwareProcessFunction<>() {
                    @Override
                    public void processElement(
                            Integer value, int round, Context ctx, Collector<Integer> out) {}
                };
        assertThatThrownBy(() -> function.processElement(1, null, null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("RoundAwareProcessFunction used outside an iteration body")
                .hasMessageContaining("extend ProcessFunction instead");
    }

    @Test
    void nonPositiveDeltaBelow() {
        assertThatThrownBy(() -> ConvergenceCriterion.deltaBelow(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("deltaBelow needs a positive tolerance, got 0.0")
                .hasMessageContaining("deltaBelow(1e-6)");
        assertThatThrownBy(() -> ConvergenceCriterion.deltaBelow(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got NaN");
    }

    @Test
    void blankInputName() {
        assertThatThrownBy(() -> new BoundedIteration().bindVariable(" ", numbers))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("non-empty name, got ' '")
                .hasMessageContaining("Name each bound stream");
        assertThatThrownBy(() -> new UnboundedIteration().bindData(null, numbers))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("non-empty name, got null");
    }

    @Test
    void blankIterationName() {
        assertThatThrownBy(() -> new BoundedIteration().name(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name must not be empty")
                .hasMessageContaining("leave name(...) out");
        assertThatThrownBy(() -> new UnboundedIteration().defaultName(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("default name must not be empty");
    }

    @Test
    void iterationNameGivenTwiceInOneJob() {
        iteration((inputs, context) -> feedBack(inputs.get("x"))).name("kmeans").apply();
        assertThatThrownBy(
                        () ->
                                iteration((inputs, context) -> feedBack(inputs.get("x")))
                                        .name("kmeans")
                                        .apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Two iterations of this job are named 'kmeans'")
                .hasMessageContaining("Give each iteration its own name(...)");
    }

    @Test
    void missingBody() {
        assertThatThrownBy(() -> new BoundedIteration().bindVariable("x", numbers).apply())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("No body: call withBody(...) before apply()");
    }

    private DataStream<Long> endless(ControlledSource.Gate gate) {
        return env.fromSource(
                ControlledSource.unbounded(gate, i -> i, Types.LONG),
                WatermarkStrategy.noWatermarks(),
                "endless");
    }

    private static DataStream<Integer> asyncPass(DataStream<Integer> x, String name) {
        return x.keyBy(v -> v % 2).enableAsyncState().process(new PassOn()).name(name);
    }

    /** Passes each record on; keyed, so that async state can be enabled on it. */
    private static final class PassOn extends KeyedProcessFunction<Integer, Integer, Integer> {
        @Override
        public void processElement(Integer value, Context ctx, Collector<Integer> out) {
            out.collect(value);
        }
    }

    /** A factory whose operator has a coordinator; the check refuses it before any is created. */
    private static final class CoordinatedFactory extends AbstractStreamOperatorFactory<Integer>
            implements CoordinatedOperatorFactory<Integer>,
                    OneInputStreamOperatorFactory<Integer, Integer> {
        @Override
        public OperatorCoordinator.Provider getCoordinatorProvider(
                String operatorName, OperatorID operatorID) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <T extends StreamOperator<Integer>> T createStreamOperator(
                StreamOperatorParameters<Integer> parameters) {
            throw new UnsupportedOperationException();
        }

        @Override
        @SuppressWarnings("rawtypes")
        public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
            return StreamMap.class;
        }
    }

    /** A multiple-input transformation of a kind the translator does not know. */
    private static final class OddInputs extends AbstractMultipleInputTransformation<Integer> {
        OddInputs() {
            super(
                    "odd-inputs",
                    SimpleOperatorFactory.<Integer>of(new StreamMap<Integer, Integer>(v -> v)),
                    Types.INT,
                    2);
        }

        void addInput(Transformation<?> input) {
            inputs.add(input);
        }
    }
}
