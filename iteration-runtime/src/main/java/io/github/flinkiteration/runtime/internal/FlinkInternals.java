package io.github.flinkiteration.runtime.internal;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.runtime.operators.coordination.CoordinatorStore;
import org.apache.flink.runtime.operators.coordination.OperatorCoordinator;
import org.apache.flink.streaming.api.operators.CountingOutput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *       outputs, found behind Flink's {@code CountingOutput} (its record counter) and its
 *       package-private {@code BroadcastingOutputCollector} (several outputs).
 * </ul>
 */
public final class FlinkInternals {

    private static final String SOURCE_COORDINATOR_CONTEXT =
            "org.apache.flink.runtime.source.coordinator.SourceCoordinatorContext";
    private static final String BROADCASTING_OUTPUT =
            "org.apache.flink.streaming.runtime.tasks.BroadcastingOutputCollector";

    private static final Logger LOG = LoggerFactory.getLogger(FlinkInternals.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();

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

    /**
     * The outputs an operator's output finally writes to: behind Flink's {@code CountingOutput}
     * (which counts records out) and behind a broadcasting output (also its copying subclass, used
     * when object reuse is off), recursively. Null if they cannot be reached: then a warning is
     * logged, once per JVM.
     */
    static List<Object> outputsBehind(Object output) {
        List<Object> found = new ArrayList<>();
        try {
            collectOutputsBehind(output, found);
            return found;
        } catch (ReflectiveOperationException | RuntimeException e) {
            warnOnce(e);
            return null;
        }
    }

    private static void collectOutputsBehind(Object output, List<Object> found)
            throws ReflectiveOperationException {
        if (output instanceof CountingOutput) {
            collectOutputsBehind(field(CountingOutput.class, "output").get(output), found);
            return;
        }
        Class<?> broadcasting = output.getClass();
        while (broadcasting != null && !broadcasting.getName().equals(BROADCASTING_OUTPUT)) {
            broadcasting = broadcasting.getSuperclass();
        }
        if (broadcasting == null) {
            found.add(output);
            return;
        }
        for (Object inner : (Object[]) field(broadcasting, "outputs").get(output)) {
            collectOutputsBehind(inner, found);
        }
    }

    /** Every operator of every iteration would repeat the same failure: say it once. */
    private static void warnOnce(Exception e) {
        if (WARNED.compareAndSet(false, true)) {
            LOG.warn(
                    "Flink Iteration cannot reach the network outputs of its operators through"
                            + " Flink's internals ({}); this Flink version differs from 2.3.0,"
                            + " which it was checked against. Round watermarks then leave only at"
                            + " Flink's buffer timeout (100 ms by default), so every round takes"
                            + " that long at least; with the buffer timeout disabled (-1) the"
                            + " iteration's operators fail when they open, since rounds would never"
                            + " progress.",
                    e.toString(),
                    e);
        }
    }

    private static Field field(Class<?> owner, String name) throws NoSuchFieldException {
        Field field = owner.getDeclaredField(name);
        field.setAccessible(true);
        return field;
    }
}
