package io.github.flinkiteration.runtime.coordinator;

import org.apache.flink.api.connector.source.SourceEvent;

/** From the control enumerator to its readers: the iteration terminated, end the input. */
final class EndOfIterationEvent implements SourceEvent {
    private static final long serialVersionUID = 1L;
}
