package io.github.flinkiteration.runtime.coordinator;

import org.apache.flink.api.connector.source.SourceSplit;

/** The control source reads nothing, so it never assigns a split; Flink's API needs the type. */
public final class ControlSplit implements SourceSplit {

    static final ControlSplit INSTANCE = new ControlSplit();

    private ControlSplit() {}

    @Override
    public String splitId() {
        return "iteration-control";
    }
}
