package io.github.flinkiteration.flinkml.common.datastream;

import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.streaming.api.windowing.assigners.WindowAssigner;
import org.apache.flink.streaming.api.windowing.triggers.EventTimeTrigger;
import org.apache.flink.streaming.api.windowing.triggers.Trigger;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

/**
 * A window assigner with one window that spans all time and closes when the input ends: every
 * record goes into it, and it fires once, on the final watermark. Usable wherever a {@code
 * WindowAssigner<Object, TimeWindow>} is, a join's window included; inside a per-round part of an
 * iteration body it fires at the end of each round.
 *
 * <pre>{@code
 * DataStream<Point> sums = points.keyBy(p -> p.cluster)
 *         .window(EndOfStreamWindows.get())
 *         .reduce(Point::add);
 * }</pre>
 */
public class EndOfStreamWindows extends WindowAssigner<Object, TimeWindow> {

    private static final long serialVersionUID = 1L;

    private static final EndOfStreamWindows INSTANCE = new EndOfStreamWindows();

    // Its end is Long.MAX_VALUE, so only the final watermark reaches the window's last timestamp.
    private static final TimeWindow ALL_TIME = new TimeWindow(Long.MIN_VALUE, Long.MAX_VALUE);

    private EndOfStreamWindows() {}

    /** The assigner; it has no configuration, so one instance serves all. */
    public static EndOfStreamWindows get() {
        return INSTANCE;
    }

    @Override
    public Collection<TimeWindow> assignWindows(
            Object element, long timestamp, WindowAssignerContext context) {
        return List.of(ALL_TIME);
    }

    @Override
    public Trigger<Object, TimeWindow> getDefaultTrigger() {
        return EventTimeTrigger.create();
    }

    @Override
    public TypeSerializer<TimeWindow> getWindowSerializer(ExecutionConfig executionConfig) {
        return new TimeWindow.Serializer();
    }

    @Override
    public boolean isEventTime() {
        return true;
    }

    @Override
    public String toString() {
        return "EndOfStreamWindows";
    }
}
