package io.github.flinkiteration.runtime.coordinator;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.core.io.InputStatus;

/** Emits nothing; ends when its enumerator sends {@link EndOfIterationEvent}. */
final class ControlReader implements SourceReader<Void, ControlSplit> {

    private final CompletableFuture<Void> ended = new CompletableFuture<>();

    @Override
    public void start() {}

    @Override
    public InputStatus pollNext(ReaderOutput<Void> output) {
        return ended.isDone() ? InputStatus.END_OF_INPUT : InputStatus.NOTHING_AVAILABLE;
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        return ended;
    }

    @Override
    public void handleSourceEvents(SourceEvent sourceEvent) {
        if (sourceEvent instanceof EndOfIterationEvent) {
            ended.complete(null);
        }
    }

    @Override
    public List<ControlSplit> snapshotState(long checkpointId) {
        return List.of();
    }

    @Override
    public void addSplits(List<ControlSplit> splits) {}

    @Override
    public void notifyNoMoreSplits() {}

    @Override
    public void close() {}
}
