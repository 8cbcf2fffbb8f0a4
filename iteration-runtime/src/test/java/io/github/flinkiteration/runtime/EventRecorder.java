package io.github.flinkiteration.runtime;

import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.api.RoundAwareProcessFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Writes "subtask:event" for each callback and record, in the order they happen: "start r", "record
 * r", "end r", "terminated". Given a tag, it also sends "subtask s" there at termination.
 */
final class EventRecorder extends RoundAwareProcessFunction<Integer, String>
        implements IterationListener<String> {

    private final OutputTag<String> terminated;

    EventRecorder() {
        this(null);
    }

    EventRecorder(OutputTag<String> terminated) {
        this.terminated = terminated;
    }

    private int subtask() {
        return getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    }

    @Override
    public void processElement(
            Integer value,
            int round,
            ProcessFunction<Integer, String>.Context ctx,
            Collector<String> out) {
        out.collect(subtask() + ":record " + round);
    }

    @Override
    public void onRoundStart(int round, IterationListener.Context ctx, Collector<String> out) {
        out.collect(subtask() + ":start " + round);
    }

    @Override
    public void onRoundEnd(int round, IterationListener.Context ctx, Collector<String> out) {
        out.collect(subtask() + ":end " + round);
    }

    @Override
    public void onIterationTerminated(IterationListener.Context ctx, Collector<String> out) {
        out.collect(subtask() + ":terminated");
        if (terminated != null) {
            ctx.output(terminated, "subtask " + subtask());
        }
    }
}
