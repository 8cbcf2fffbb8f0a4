package io.github.flinkiteration.runtime.protocol;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.runtime.operators.coordination.CoordinationResponse;
import org.apache.flink.util.SerializedValue;

/**
 * The global value of every aggregator after one round, by name. The values are user objects: they
 * travel serialized and are read with the user-code class loader, which the RPC layer that carries
 * the response does not use.
 */
public final class AggregatesResponse implements CoordinationResponse {

    private static final long serialVersionUID = 1L;

    private final SerializedValue<HashMap<String, Object>> values;

    public AggregatesResponse(Map<String, Object> values) {
        try {
            this.values = new SerializedValue<>(new HashMap<>(values));
        } catch (IOException e) {
            throw new IllegalStateException(
                    "The aggregates " + values + " are not serializable with Java serialization",
                    e);
        }
    }

    public Map<String, Object> getValues(ClassLoader userCodeClassLoader)
            throws IOException, ClassNotFoundException {
        return values.deserializeValue(userCodeClassLoader);
    }
}
