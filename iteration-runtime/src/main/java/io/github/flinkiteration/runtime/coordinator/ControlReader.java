package io.github.flinkiteration.runtime.coordinator;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.core.io.InputStatus;

/**
 * Emits one record and ends, once its enumerator sends {@link EndOfIterationEvent}: the record
 * tells the head or replay that the iteration ended it, not a stop with drain (see {@link
 * ControlledEntryOperator}).
 */
final class ControlReader implements SourceReader<Void, ControlSplit> {

    private final CompletableFuture<Void> ended = new CompletableFuture<>();

    /** Whether the record that announces the iteration's end went out. */
    private boolean announced;

    @Override
    public void start() {}

    @Override
    public InputStatus pollNext(ReaderOutput<Void> output) {
        if (!ended.isDone()) {
            return InputStatus.NOTHING_AVAILABLE;
        }
        if (!announced) {
            announced = true;
            output.collect(null);
            return InputStatus.MORE_AVAILABLE;
        }
        return InputStatus.END_OF_INPUT;
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
