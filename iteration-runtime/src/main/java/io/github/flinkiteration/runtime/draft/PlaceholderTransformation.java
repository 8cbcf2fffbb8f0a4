package io.github.flinkiteration.runtime.draft;

import java.util.Collections;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.dag.Transformation;

/**
 * Stands, inside the draft, for a stream bound to the iteration. It has the user's element type and
 * is never translated by Flink: the translator replaces it with the real entry of the loop.
 */
public final class PlaceholderTransformation<T> extends Transformation<T> {

    private final String boundName;

    public PlaceholderTransformation(
            String boundName, TypeInformation<T> type, int parallelism, int maxParallelism) {
        super("Iteration input '" + boundName + "'", type, parallelism);
        this.boundName = boundName;
        if (maxParallelism > 0) {
            setMaxParallelism(maxParallelism);
        }
    }

    public String getBoundName() {
        return boundName;
    }

    @Override
    protected List<Transformation<?>> getTransitivePredecessorsInternal() {
        return Collections.singletonList(this);
    }

    @Override
    public List<Transformation<?>> getInputs() {
        return Collections.emptyList();
    }
}
