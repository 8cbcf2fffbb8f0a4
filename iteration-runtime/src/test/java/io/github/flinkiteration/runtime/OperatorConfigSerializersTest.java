package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.TerminationCondition;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A body operator finds in its configuration the serializers of its own input and output types, not
 * those of the iteration records the wrapper around it receives and emits.
 */
class OperatorConfigSerializersTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    private static final List<Integer> INITIAL = List.of(1, 2, 3, 4, 5, 6);
    private static final int ROUNDS = 3;

    @Test
    void aBodyOperatorReadsItsValuesSerializersFromItsConfiguration() throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(2);
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable("x", env.fromData(INITIAL))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> x = inputs.get("x");
                                    DataStream<String> text =
                                            x.connect(x.map(v -> "#" + v, Types.STRING))
                                                    .transform(
                                                            "round trip",
                                                            Types.STRING,
                                                            new SerializerRoundTrip());
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", x.map(v -> v + 1))
                                            .withOutput("text", text)
                                            .until(TerminationCondition.maxRounds(ROUNDS))
                                            .build();
                                })
                        .apply();
        List<String> seen = TestCluster.collect(results.get("text"));

        List<String> expected = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            for (int v : INITIAL) {
                expected.add("int " + (v + round));
                expected.add("text #" + (v + round));
            }
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(expected);
    }

    /** Writes and reads each value with the serializers its configuration names. */
    static class SerializerRoundTrip extends AbstractStreamOperator<String>
            implements TwoInputStreamOperator<Integer, String, String> {

        private transient TypeSerializer<Integer> first;
        private transient TypeSerializer<String> second;
        private transient TypeSerializer<String> out;

        @Override
        public void open() throws Exception {
            super.open();
            ClassLoader classLoader = getUserCodeClassloader();
            first = getOperatorConfig().getTypeSerializerIn(0, classLoader);
            second = getOperatorConfig().getTypeSerializerIn(1, classLoader);
            out = getOperatorConfig().getTypeSerializerOut(classLoader);
        }

        @Override
        public void processElement1(StreamRecord<Integer> element) throws Exception {
            emit("int " + through(first, element.getValue()));
        }

        @Override
        public void processElement2(StreamRecord<String> element) throws Exception {
            emit("text " + through(second, element.getValue()));
        }

        private void emit(String value) throws Exception {
            output.collect(new StreamRecord<>(through(out, value)));
        }

        private static <T> T through(TypeSerializer<T> serializer, T value) throws Exception {
            DataOutputSerializer bytes = new DataOutputSerializer(16);
            serializer.serialize(value, bytes);
            return serializer.deserialize(new DataInputDeserializer(bytes.getCopyOfBuffer()));
        }
    }
}
