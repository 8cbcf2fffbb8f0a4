package io.github.flinkiteration.runtime.coordinator;

import io.github.flinkiteration.runtime.internal.FlinkInternals;
import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import java.util.List;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;

/**
 * Hears from the iteration's {@link RoundController} when the iteration terminates and tells every
 * reader, including readers that register later, to end.
 */
final class ControlEnumerator implements SplitEnumerator<ControlSplit, Void> {

    private final SplitEnumeratorContext<ControlSplit> context;
    private final ProgressPlan plan;
    private RoundController controller;
    private Runnable terminationListener;

    ControlEnumerator(SplitEnumeratorContext<ControlSplit> context, ProgressPlan plan) {
        this.context = context;
        this.plan = plan;
    }

    @Override
    public void start() {
        controller = RoundController.of(FlinkInternals.coordinatorStore(context), plan);
        terminationListener = () -> context.runInCoordinatorThread(this::endReaders);
        controller.addTerminationListener(terminationListener);
    }

    private void endReaders() {
        for (int subtask : context.registeredReaders().keySet()) {
            context.sendEventToSourceReader(subtask, new EndOfIterationEvent());
        }
    }

    @Override
    public void addReader(int subtaskId) {
        // Asked again for every new reader: after a restore the iteration may no longer have ended.
        if (controller.isControlEnded()) {
            context.sendEventToSourceReader(subtaskId, new EndOfIterationEvent());
        }
    }

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {}

    @Override
    public void addSplitsBack(List<ControlSplit> splits, int subtaskId) {}

    @Override
    public Void snapshotState(long checkpointId) {
        return null;
    }

    @Override
    public void close() {
        if (controller != null) {
            controller.removeTerminationListener(terminationListener);
        }
    }
}
