package io.github.flinkiteration.runtime.internal;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.runtime.operators.coordination.CoordinatorStore;
import org.apache.flink.runtime.operators.coordination.OperatorCoordinator;

/**
 * The only place that reaches into Flink internals by reflection. Checked against Flink 2.3.0;
 * recheck on every Flink upgrade.
 *
 * <ul>
 *   <li>A {@code SplitEnumerator} has no supported way to the job's {@link CoordinatorStore}, but
 *       the iteration's control source must hear from the iteration's coordinators when to stop.
 *       {@code SourceCoordinatorContext#getCoordinatorContext()} (package-private) gives it.
 *   <li>An operator cannot flush its network output; Flink flushes on a timer (100 ms by default).
 *       A round watermark must leave at once, so {@link OutputFlusher} flushes the record writer
 *       outputs, and needs the outputs behind Flink's package-private {@code
 *       BroadcastingOutputCollector} when an operator has several.
 * </ul>
 */
public final class FlinkInternals {

    private static final String SOURCE_COORDINATOR_CONTEXT =
            "org.apache.flink.runtime.source.coordinator.SourceCoordinatorContext";
    private static final String BROADCASTING_OUTPUT =
            "org.apache.flink.streaming.runtime.tasks.BroadcastingOutputCollector";

    private FlinkInternals() {}

    /** The coordinator store of the job that runs the enumerator with this context. */
    public static CoordinatorStore coordinatorStore(SplitEnumeratorContext<?> context) {
        try {
            Class<?> contextClass = Class.forName(SOURCE_COORDINATOR_CONTEXT);
            if (!contextClass.isInstance(context)) {
                throw new IllegalStateException(
                        "Unexpected enumerator context " + context.getClass().getName());
            }
            Method method = contextClass.getDeclaredMethod("getCoordinatorContext");
            method.setAccessible(true);
            return ((OperatorCoordinator.Context) method.invoke(context)).getCoordinatorStore();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(
                    "Cannot reach the coordinator store from the enumerator; this Flink version"
                            + " is not supported by flink-iteration (checked against 2.3.0).",
                    e);
        }
    }

    /** The outputs behind a broadcasting output, or the output itself. */
    static List<Object> outputsBehind(Object output) {
        if (!output.getClass().getName().equals(BROADCASTING_OUTPUT)) {
            return List.of(output);
        }
        try {
            Field field = output.getClass().getDeclaredField("outputs");
            field.setAccessible(true);
            return new ArrayList<>(Arrays.asList((Object[]) field.get(output)));
        } catch (ReflectiveOperationException e) {
            // Not flushing is correct, only slower: Flink's buffer timeout still flushes.
            return List.of();
        }
    }
}
