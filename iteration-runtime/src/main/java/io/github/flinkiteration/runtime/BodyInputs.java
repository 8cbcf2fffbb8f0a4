package io.github.flinkiteration.runtime;

import io.github.flinkiteration.api.IterationInputs;
import java.util.Map;
import java.util.Set;
import org.apache.flink.streaming.api.datastream.DataStream;

/** The bound streams as the body sees them: draft streams over placeholders, by bound name. */
final class BodyInputs implements IterationInputs {

    private final Map<String, DataStream<?>> streams;

    BodyInputs(Map<String, DataStream<?>> streams) {
        this.streams = streams;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> DataStream<T> get(String name) {
        DataStream<?> stream = streams.get(name);
        if (stream == null) {
            throw new IllegalArgumentException(
                    "The iteration has no input named '"
                            + name
                            + "'. Bound inputs: "
                            + streams.keySet()
                            + ".");
        }
        return (DataStream<T>) stream;
    }

    @Override
    public Set<String> names() {
        return streams.keySet();
    }
}
