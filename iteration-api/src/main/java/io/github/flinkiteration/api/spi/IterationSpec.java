package io.github.flinkiteration.api.spi;

import io.github.flinkiteration.api.IterationBody;
import io.github.flinkiteration.api.IterationConfig;
import io.github.flinkiteration.api.ResultStreams;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;

/** Everything a user bound to an iteration: what the runtime builds from. */
public final class IterationSpec {

    private final String name;
    private final boolean nameGiven;
    private final boolean bounded;
    private final Map<String, DataStream<?>> variables;
    private final Map<String, DataStream<?>> data;
    private final Map<String, DataStream<?>> constants;
    private final IterationConfig config;
    private final IterationBody body;
    private final Function<Map<String, ? extends DataStream<?>>, ResultStreams> results;
    private Map<String, KeySelector<?, ?>> solutionSetKeys = Map.of();

    public IterationSpec(
            String name,
            boolean nameGiven,
            boolean bounded,
            Map<String, DataStream<?>> variables,
            Map<String, DataStream<?>> data,
            Map<String, DataStream<?>> constants,
            IterationConfig config,
            IterationBody body,
            Function<Map<String, ? extends DataStream<?>>, ResultStreams> results) {
        this.name = name;
        this.nameGiven = nameGiven;
        this.bounded = bounded;
        this.variables = Collections.unmodifiableMap(new LinkedHashMap<>(variables));
        this.data = Collections.unmodifiableMap(new LinkedHashMap<>(data));
        this.constants = Collections.unmodifiableMap(new LinkedHashMap<>(constants));
        this.config = config;
        this.body = body;
        this.results = results;
    }

    /**
     * This spec with solution sets: each is one of the {@linkplain #getData() data inputs}, keyed
     * by its selector.
     */
    public IterationSpec withSolutionSetKeys(Map<String, KeySelector<?, ?>> keys) {
        IterationSpec spec =
                new IterationSpec(
                        name, nameGiven, bounded, variables, data, constants, config, body,
                        results);
        spec.solutionSetKeys = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
        return spec;
    }

    /** The key selectors of the solution sets, by name; empty when there are none. */
    public Map<String, KeySelector<?, ?>> getSolutionSetKeys() {
        return solutionSetKeys;
    }

    /**
     * The iteration's name: given with {@code name(...)}, or a default ({@code defaultName(...)},
     * or derived from its variables). The runtime makes a default unique in its job.
     */
    public String getName() {
        return name;
    }

    /**
     * Whether the name was given with {@code name(...)}: such a name is the user's promise that no
     * other iteration of the job has it, so the runtime rejects a duplicate instead of renaming it.
     */
    public boolean isNameGiven() {
        return nameGiven;
    }

    public boolean isBounded() {
        return bounded;
    }

    public Map<String, DataStream<?>> getVariables() {
        return variables;
    }

    public Map<String, DataStream<?>> getData() {
        return data;
    }

    /** Bounded streams replayed to the body in every round. */
    public Map<String, DataStream<?>> getConstants() {
        return constants;
    }

    public IterationConfig getConfig() {
        return config;
    }

    public IterationBody getBody() {
        return body;
    }

    /**
     * Wraps the streams the runtime built (the iteration's outputs, or a {@code forEachRound}
     * part's) as the {@link ResultStreams} the user receives.
     */
    public ResultStreams results(Map<String, ? extends DataStream<?>> streams) {
        return results.apply(streams);
    }
}
