package io.github.flinkiteration.api.spi;

import io.github.flinkiteration.api.ResultStreams;

/**
 * The service that turns an {@link IterationSpec} into a job graph. {@code iteration-runtime}
 * provides it through {@link java.util.ServiceLoader}; users never call it.
 */
public interface IterationRuntime {

    /** Builds the iteration into the environment of its bound streams. */
    ResultStreams build(IterationSpec spec);
}
