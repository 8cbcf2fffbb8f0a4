package io.github.flinkiteration.flinkml.common.broadcast;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.accumulators.Accumulator;
import org.apache.flink.api.common.functions.BroadcastVariableInitializer;
import org.apache.flink.runtime.execution.Environment;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.StreamingRuntimeContext;

/**
 * The runtime context of a user function that reads broadcast variables: Flink's streaming context
 * (which rejects broadcast variables as a DataSet feature) with the variables of its operator.
 */
final class BroadcastRuntimeContext extends StreamingRuntimeContext {

    private final List<String> names;
    private Map<String, List<?>> variables;
    private final Map<String, Object> initialized = new HashMap<>();

    BroadcastRuntimeContext(
            AbstractStreamOperator<?> operator,
            Environment environment,
            Map<String, Accumulator<?, ?>> accumulators,
            List<String> names) {
        super(operator, environment, accumulators);
        this.names = names;
    }

    /** Makes the variables readable: every broadcast stream has ended. */
    void publish(Map<String, List<?>> complete) {
        this.variables = complete;
    }

    @Override
    public boolean hasBroadcastVariable(String name) {
        return names.contains(name);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <RT> List<RT> getBroadcastVariable(String name) {
        if (!names.contains(name)) {
            throw new IllegalArgumentException(
                    "No broadcast variable '"
                            + name
                            + "': withBroadcastStream gave this operator "
                            + names
                            + ".");
        }
        if (variables == null) {
            throw new IllegalStateException(
                    "The broadcast variable '"
                            + name
                            + "' is read before its stream ended. Read broadcast variables while"
                            + " processing records (map, flatMap, processElement ...), not in"
                            + " open().");
        }
        return Collections.unmodifiableList((List<RT>) variables.get(name));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T, C> C getBroadcastVariableWithInitializer(
            String name, BroadcastVariableInitializer<T, C> initializer) {
        // As in the DataSet API: initialized once, then shared by every call.
        if (!initialized.containsKey(name)) {
            initialized.put(
                    name,
                    initializer.initializeBroadcastVariable(this.<T>getBroadcastVariable(name)));
        }
        return (C) initialized.get(name);
    }
}
