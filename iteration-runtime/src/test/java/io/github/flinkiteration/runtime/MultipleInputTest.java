package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.TerminationCondition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.AbstractInput;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorV2;
import org.apache.flink.streaming.api.operators.Input;
import org.apache.flink.streaming.api.operators.MultipleInputStreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.transformations.KeyedMultipleInputTransformation;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A keyed three-input operator inside the body, with keyed state, on both state backends. */
class MultipleInputTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    private static final int ROUNDS = 3;
    private static final int KEYS = 4;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void keyedMultipleInputOperatorCountsAcrossRounds(String backend) throws Exception {
        List<Integer> initial = IntStream.range(0, 24).boxed().collect(Collectors.toList());
        StreamExecutionEnvironment env = TestCluster.env(2, backend);
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable("x", env.fromData(initial))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> x = inputs.get("x");
                                    DataStream<Tuple2<Integer, Long>> counts =
                                            threeWayCount(
                                                    x,
                                                    x.map(v -> v * 10),
                                                    x.filter(v -> v % 2 == 0));
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", x.map(v -> v + 1))
                                            .withOutput("counts", counts)
                                            .until(TerminationCondition.maxRounds(ROUNDS))
                                            .build();
                                })
                        .apply();
        List<Tuple2<Integer, Long>> counts = TestCluster.collect(results.get("counts"));

        Map<Integer, Long> expected = new HashMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            for (int v : initial) {
                int value = v + round;
                expected.merge(value % KEYS, 1L, Long::sum);
                expected.merge((value * 10) % KEYS, 1L, Long::sum);
                if (value % 2 == 0) {
                    expected.merge(value % KEYS, 1L, Long::sum);
                }
            }
        }
        Map<Integer, Long> finalCounts = new HashMap<>();
        counts.forEach(c -> finalCounts.merge(c.f0, c.f1, Math::max));
        assertThat(finalCounts).isEqualTo(expected);
    }

    @Test
    void aPerRoundOperatorWithThreeInputsIsRejectedWhenTheGraphIsBuilt() {
        StreamExecutionEnvironment env = TestCluster.env(2);
        BoundedIteration iteration =
                new BoundedIteration()
                        .bindVariable("x", env.fromData(1, 2, 3))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> x = inputs.get("x");
                                    DataStream<Integer> tens = x.map(v -> v * 10);
                                    DataStream<?> counts =
                                            context.forEachRound(
                                                            () ->
                                                                    Map.of(
                                                                            "counts",
                                                                            threeWayCount(
                                                                                    x, tens, x)))
                                                    .get("counts");
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", x.map(v -> v + 1))
                                            .withOutput("counts", counts)
                                            .until(TerminationCondition.maxRounds(ROUNDS))
                                            .build();
                                });

        assertThatThrownBy(iteration::apply)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("three-way count")
                .hasMessageContaining("more than two inputs")
                .hasMessageContaining("outside forEachRound");
    }

    private static DataStream<Tuple2<Integer, Long>> threeWayCount(
            DataStream<Integer> a, DataStream<Integer> b, DataStream<Integer> c) {
        KeySelector<Integer, Integer> key = v -> v % KEYS;
        KeyedMultipleInputTransformation<Tuple2<Integer, Long>> transformation =
                new KeyedMultipleInputTransformation<>(
                        "three-way count",
                        new CountFactory(),
                        Types.TUPLE(Types.INT, Types.LONG),
                        3,
                        Types.INT);
        // Like any keyed operator, each input must be partitioned by its key.
        transformation.addInput(a.keyBy(key).getTransformation(), key);
        transformation.addInput(b.keyBy(key).getTransformation(), key);
        transformation.addInput(c.keyBy(key).getTransformation(), key);
        a.getExecutionEnvironment().addOperator(transformation);
        return new DataStream<>(a.getExecutionEnvironment(), transformation);
    }

    private static final class CountFactory
            extends AbstractStreamOperatorFactory<Tuple2<Integer, Long>> {
        @Override
        @SuppressWarnings("unchecked")
        public <T extends StreamOperator<Tuple2<Integer, Long>>> T createStreamOperator(
                StreamOperatorParameters<Tuple2<Integer, Long>> parameters) {
            return (T) new CountOperator(parameters);
        }

        @Override
        @SuppressWarnings("rawtypes")
        public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
            return CountOperator.class;
        }
    }

    /** Counts, per key, the records of all three inputs and emits the running count. */
    private static final class CountOperator extends AbstractStreamOperatorV2<Tuple2<Integer, Long>>
            implements MultipleInputStreamOperator<Tuple2<Integer, Long>> {

        private transient ValueState<Long> count;

        CountOperator(StreamOperatorParameters<Tuple2<Integer, Long>> parameters) {
            super(parameters, 3);
        }

        @Override
        public void open() throws Exception {
            super.open();
            count = getPartitionedState(new ValueStateDescriptor<>("count", Types.LONG));
        }

        @Override
        @SuppressWarnings("rawtypes")
        public List<Input> getInputs() {
            return List.of(new CountInput(1), new CountInput(2), new CountInput(3));
        }

        @SuppressWarnings("unchecked") // Flink's AbstractInput#getRecordProcessor signature
        private final class CountInput extends AbstractInput<Integer, Tuple2<Integer, Long>> {
            CountInput(int inputId) {
                super(CountOperator.this, inputId);
            }

            @Override
            public void processElement(StreamRecord<Integer> element) throws Exception {
                long updated = (count.value() == null ? 0 : count.value()) + 1;
                count.update(updated);
                output.collect(new StreamRecord<>(Tuple2.of((Integer) getCurrentKey(), updated)));
            }
        }
    }
}
