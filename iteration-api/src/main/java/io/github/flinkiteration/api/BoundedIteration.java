package io.github.flinkiteration.api;

import io.github.flinkiteration.api.spi.IterationRuntimeLoader;
import io.github.flinkiteration.api.spi.IterationSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * An iteration over bounded inputs that runs round after round until its termination condition
 * holds or a round feeds nothing back.
 *
 * <pre>{@code
 * ResultStreams results = new BoundedIteration()
 *         .bindVariable("centroids", initialCentroids)
 *         .bindData("points", points)
 *         .withBody((inputs, context) -> {
 *             DataStream<Centroids> next = ...;
 *             return IterationDeclaration.builder()
 *                     .withFeedback("centroids", next)
 *                     .withOutput("model", next)
 *                     .until(TerminationCondition.maxRounds(20))
 *                     .build();
 *         })
 *         .apply();
 * DataStream<Centroids> model = results.get("model");
 * }</pre>
 *
 * <p>All bound streams must come from the same {@code StreamExecutionEnvironment}; the iteration is
 * added to it by {@link #apply()}.
 */
public final class BoundedIteration {

    private final Map<String, DataStream<?>> variables = new LinkedHashMap<>();
    private final Map<String, DataStream<?>> data = new LinkedHashMap<>();
    private IterationConfig config = IterationConfig.defaults();
    private IterationBody body;

    /**
     * Binds a variable: {@code initial} enters the body in round 0, and the feedback declared for
     * {@code name} enters it in every later round.
     */
    public BoundedIteration bindVariable(String name, DataStream<?> initial) {
        bind(name, initial, variables);
        return this;
    }

    /** Binds a bounded stream that the body reads once, in round 0. It is not replayed. */
    public BoundedIteration bindData(String name, DataStream<?> stream) {
        bind(name, stream, data);
        return this;
    }

    /** Sets the iteration's options; {@link IterationConfig#defaults()} otherwise. */
    public BoundedIteration withConfig(IterationConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        return this;
    }

    /** Sets the body. */
    public BoundedIteration withBody(IterationBody body) {
        this.body = Objects.requireNonNull(body, "body");
        return this;
    }

    /**
     * Builds the iteration into the job graph and returns its outputs.
     *
     * @throws IllegalArgumentException if the body or its bindings are invalid; the message names
     *     the stream or operator at fault
     * @throws IllegalStateException if {@code iteration-runtime} is not on the classpath
     */
    public ResultStreams apply() {
        if (body == null) {
            throw new IllegalStateException("No body: call withBody(...) before apply().");
        }
        if (variables.isEmpty()) {
            throw new IllegalStateException(
                    "A bounded iteration needs at least one variable: call bindVariable(...).");
        }
        return IterationRuntimeLoader.load()
                .build(new IterationSpec(true, variables, data, config, body));
    }

    private void bind(String name, DataStream<?> stream, Map<String, DataStream<?>> target) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("An iteration input needs a non-empty name.");
        }
        Objects.requireNonNull(stream, "stream bound to '" + name + "'");
        if (variables.containsKey(name) || data.containsKey(name)) {
            throw new IllegalArgumentException(
                    "The name '"
                            + name
                            + "' is already bound to this iteration. Give each bound stream its"
                            + " own name.");
        }
        target.put(name, stream);
    }
}
