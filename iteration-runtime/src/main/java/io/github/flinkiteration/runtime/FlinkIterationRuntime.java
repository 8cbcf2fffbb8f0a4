package io.github.flinkiteration.runtime;

import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.spi.IterationRuntime;
import io.github.flinkiteration.api.spi.IterationSpec;

/** The {@link IterationRuntime} found by {@code BoundedIteration#apply()}. */
public final class FlinkIterationRuntime implements IterationRuntime {

    @Override
    public ResultStreams build(IterationSpec spec) {
        return new IterationBuilder(spec).build();
    }
}
