package io.github.flinkiteration.flinkml;

import org.apache.flink.util.OutputTag;

/** Presents the runtime's listener context as flink-ml's. */
final class ListenerContextAdapter implements IterationListener.Context {

    private final io.github.flinkiteration.api.IterationListener.Context delegate;

    ListenerContextAdapter(io.github.flinkiteration.api.IterationListener.Context delegate) {
        this.delegate = delegate;
    }

    @Override
    public <X> void output(OutputTag<X> outputTag, X value) {
        delegate.output(outputTag, value);
    }
}
