package io.github.flinkiteration.api;

import io.github.flinkiteration.api.spi.IterationRuntimeLoader;
import io.github.flinkiteration.api.spi.IterationSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;

/** What the two iteration builders have in common: named inputs, a config and a body. */
final class IterationBindings {

    private final Map<String, DataStream<?>> variables = new LinkedHashMap<>();
    private final Map<String, DataStream<?>> data = new LinkedHashMap<>();
    private final Map<String, DataStream<?>> constants = new LinkedHashMap<>();
    private final Map<String, KeySelector<?, ?>> solutionSetKeys = new LinkedHashMap<>();
    private IterationConfig config = IterationConfig.defaults();
    private IterationBody body;
    private String name;
    private String defaultName;

    void bindVariable(String name, DataStream<?> initial) {
        bind(name, initial, variables);
    }

    void bindData(String name, DataStream<?> stream) {
        bind(name, stream, data);
    }

    void bindSolutionSet(String name, DataStream<?> initial, KeySelector<?, ?> key) {
        Objects.requireNonNull(key, "key selector of solution set '" + name + "'");
        bind(name, initial, data);
        solutionSetKeys.put(name, key);
    }

    void bindConstant(String name, DataStream<?> stream) {
        bind(name, stream, constants);
    }

    void setConfig(IterationConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    void setName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(
                    "An iteration's name must not be empty; leave name(...) out for the default.");
        }
        this.name = name;
    }

    void setDefaultName(String defaultName) {
        if (defaultName == null || defaultName.isBlank()) {
            throw new IllegalArgumentException("An iteration's default name must not be empty.");
        }
        this.defaultName = defaultName;
    }

    void setBody(IterationBody body) {
        this.body = Objects.requireNonNull(body, "body");
    }

    ResultStreams apply(boolean bounded) {
        if (body == null) {
            throw new IllegalStateException("No body: call withBody(...) before apply().");
        }
        if (variables.isEmpty()) {
            throw new IllegalStateException(
                    "An iteration needs at least one variable: call bindVariable(...).");
        }
        return IterationRuntimeLoader.load()
                .build(
                        new IterationSpec(
                                        name != null ? name : defaultName(),
                                        name != null,
                                        bounded,
                                        variables,
                                        data,
                                        constants,
                                        config,
                                        body,
                                        ResultStreams::new)
                                .withSolutionSetKeys(solutionSetKeys));
    }

    private String defaultName() {
        return defaultName != null
                ? defaultName
                : "iteration[" + String.join(",", variables.keySet()) + "]";
    }

    private void bind(String name, DataStream<?> stream, Map<String, DataStream<?>> target) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(
                    "An iteration input needs a non-empty name, got "
                            + (name == null ? "null" : "'" + name + "'")
                            + ". Name each bound stream, as in bindVariable(\"model\", stream);"
                            + " the body reads it with inputs.get(name).");
        }
        Objects.requireNonNull(stream, "stream bound to '" + name + "'");
        if (variables.containsKey(name) || data.containsKey(name) || constants.containsKey(name)) {
            throw new IllegalArgumentException(
                    "The name '"
                            + name
                            + "' is already bound to this iteration. Give each bound stream its"
                            + " own name.");
        }
        target.put(name, stream);
    }
}
