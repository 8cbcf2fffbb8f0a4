package io.github.flinkiteration.runtime.wrapper;

import io.github.flinkiteration.runtime.record.IterationRecordSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.graph.StreamConfig;

/**
 * The configuration a wrapped operator sees: its wrapper's, but with the serializers of the user's
 * values where the wrapper's name iteration records. Operators read their input and output
 * serializers from their configuration (flink-ml's do, to build their state); inside the loop they
 * must find the types they were written for.
 */
final class ValueTypedStreamConfig {

    private ValueTypedStreamConfig() {}

    /**
     * A copy of {@code wrapperConfig} with each iteration-record serializer replaced by its
     * value's.
     */
    static StreamConfig of(StreamConfig wrapperConfig, ClassLoader classLoader) {
        StreamConfig copy = new StreamConfig(new Configuration(wrapperConfig.getConfiguration()));
        StreamConfig.InputConfig[] inputs = wrapperConfig.getInputs(classLoader);
        StreamConfig.InputConfig[] valueInputs = new StreamConfig.InputConfig[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            valueInputs[i] = inputs[i];
            if (inputs[i] instanceof StreamConfig.NetworkInputConfig) {
                StreamConfig.NetworkInputConfig network =
                        (StreamConfig.NetworkInputConfig) inputs[i];
                valueInputs[i] =
                        new StreamConfig.NetworkInputConfig(
                                valueSerializer(network.getTypeSerializer()),
                                network.getInputGateIndex(),
                                network.getInputRequirement());
            }
        }
        copy.setInputs(valueInputs);
        TypeSerializer<?> out = wrapperConfig.getTypeSerializerOut(classLoader);
        if (out != null) {
            copy.setTypeSerializerOut(valueSerializer(out));
        }
        copy.serializeAllConfigs();
        return copy;
    }

    private static TypeSerializer<?> valueSerializer(TypeSerializer<?> serializer) {
        return serializer instanceof IterationRecordSerializer
                ? ((IterationRecordSerializer<?>) serializer).getValueSerializer()
                : serializer;
    }
}
