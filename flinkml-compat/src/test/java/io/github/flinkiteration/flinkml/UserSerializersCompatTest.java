package io.github.flinkiteration.flinkml;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.flinkml.common.iteration.TerminateOnMaxIter;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Operators inside the loop find the user's serializers in their configuration, as flink-ml's
 * operators expect (they build their state from {@code getTypeSerializerIn(0)}): an all-round and a
 * per-round operator pass every value through the input and output serializers of their
 * configuration.
 */
class UserSerializersCompatTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = CompatCluster.extension();

    private static final List<Integer> INITIAL = List.of(0, 3, 5, 10, 2, 7, 1, 4);
    private static final int MAX_ITER = 3;

    @ParameterizedTest(name = "per-round: {0}")
    @ValueSource(booleans = {false, true})
    void operatorsInTheLoopSeeTheUsersSerializers(boolean perRound) throws Exception {
        StreamExecutionEnvironment env = CompatCluster.env(4);
        DataStreamList outputs =
                Iterations.iterateBoundedStreamsUntilTermination(
                        DataStreamList.of(env.fromData(INITIAL)),
                        ReplayableDataStreamList.notReplay(),
                        IterationConfig.newBuilder().build(),
                        (variables, data) -> {
                            DataStream<Integer> values = variables.get(0);
                            DataStream<Integer> next = values.map(v -> v + 1);
                            DataStream<Integer> roundTripped =
                                    perRound
                                            ? IterationBody.forEachRound(
                                                            DataStreamList.of(values),
                                                            in ->
                                                                    DataStreamList.of(
                                                                            roundTrip(in.get(0))))
                                                    .get(0)
                                            : roundTrip(values);
                            return new IterationBodyResult(
                                    DataStreamList.of(next),
                                    DataStreamList.of(roundTripped),
                                    next.flatMap(new TerminateOnMaxIter<>(MAX_ITER)));
                        });
        List<Integer> seen = new ArrayList<>();
        outputs.<Integer>get(0).executeAndCollect().forEachRemaining(seen::add);

        // Reference: epochs 0 … MAX_ITER - 1, and the last feedback (epoch MAX_ITER) that enters
        // before the end.
        List<Integer> expected = new ArrayList<>();
        for (int epoch = 0; epoch <= MAX_ITER; epoch++) {
            for (int v : INITIAL) {
                expected.add(v + epoch);
            }
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(expected);
    }

    private static DataStream<Integer> roundTrip(DataStream<Integer> values) {
        return values.transform("serializer round trip", Types.INT, new SerializerRoundTrip());
    }

    /** Writes and reads every value with the serializers its configuration names. */
    static class SerializerRoundTrip extends AbstractStreamOperator<Integer>
            implements OneInputStreamOperator<Integer, Integer> {

        private transient TypeSerializer<Integer> in;
        private transient TypeSerializer<Integer> out;

        @Override
        public void open() throws Exception {
            super.open();
            in = getOperatorConfig().getTypeSerializerIn(0, getUserCodeClassloader());
            out = getOperatorConfig().getTypeSerializerOut(getUserCodeClassloader());
        }

        @Override
        public void processElement(StreamRecord<Integer> element) throws Exception {
            output.collect(new StreamRecord<>(through(out, through(in, element.getValue()))));
        }

        private static Integer through(TypeSerializer<Integer> serializer, Integer value)
                throws Exception {
            DataOutputSerializer bytes = new DataOutputSerializer(16);
            serializer.serialize(value, bytes);
            return serializer.deserialize(new DataInputDeserializer(bytes.getCopyOfBuffer()));
        }
    }
}
