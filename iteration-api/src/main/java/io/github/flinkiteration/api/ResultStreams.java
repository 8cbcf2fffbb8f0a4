package io.github.flinkiteration.api;

import io.github.flinkiteration.api.spi.IterationSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The streams an iteration emits, by the names given to {@link
 * IterationDeclaration.Builder#withOutput}. They carry plain values and can be used like any other
 * stream of the job.
 *
 * <pre>{@code
 * ResultStreams results = new BoundedIteration()...apply();
 * DataStream<Centroids> model = results.get("model");
 * model.print();
 * }</pre>
 */
public final class ResultStreams {

    private final Map<String, DataStream<?>> streams;

    /** Made by the runtime through {@link IterationSpec#results}; users only receive one. */
    ResultStreams(Map<String, ? extends DataStream<?>> streams) {
        this.streams = Collections.unmodifiableMap(new LinkedHashMap<>(streams));
    }

    /**
     * Returns the stream emitted under {@code name}.
     *
     * @throws IllegalArgumentException if the body declared no output of that name
     */
    @SuppressWarnings("unchecked")
    public <T> DataStream<T> get(String name) {
        DataStream<?> stream = streams.get(name);
        if (stream == null) {
            throw new IllegalArgumentException(
                    "The iteration has no output named '"
                            + name
                            + "'. Declared outputs: "
                            + streams.keySet()
                            + ". Declare it with IterationDeclaration.builder().withOutput(\""
                            + name
                            + "\", stream).");
        }
        return (DataStream<T>) stream;
    }

    /** The names of all outputs, in declaration order. */
    public Set<String> names() {
        return streams.keySet();
    }
}
