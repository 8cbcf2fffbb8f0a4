package io.github.flinkiteration.api;

import java.util.Set;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The streams an {@link IterationBody} reads: one per name bound with {@code bindVariable}, {@code
 * bindData} and, in a {@link BoundedIteration}, {@code bindConstant}.
 *
 * <pre>{@code
 * DataStream<Centroids> centroids = inputs.get("centroids");
 * }</pre>
 */
public interface IterationInputs {

    /**
     * Returns the body-side stream bound under {@code name}.
     *
     * @throws IllegalArgumentException if nothing is bound under that name
     */
    <T> DataStream<T> get(String name);

    /** The names of all bound inputs, in binding order. */
    Set<String> names();
}
