package io.github.flinkiteration.flinkml;

import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Epoch callbacks for an operator, or the user function of an operator, inside an iteration body.
 * The epoch watermark {@code r} is delivered once every record of round {@code r} has reached the
 * subtask; records emitted from it belong to round {@code r}.
 *
 * <pre>{@code
 * class CountPerRound implements FlatMapFunction<Point, Long>, IterationListener<Long> {
 *     private long count;
 *     public void flatMap(Point p, Collector<Long> out) { count++; }
 *     public void onEpochWatermarkIncremented(int epoch, Context ctx, Collector<Long> out) {
 *         out.collect(count);
 *         count = 0;
 *     }
 *     public void onIterationTerminated(Context ctx, Collector<Long> out) {}
 * }
 * }</pre>
 *
 * <p>It extends Flink Iteration's listener, whose round-end callback it forwards, so the runtime
 * finds it on an operator or a function like any other listener.
 *
 * @param <T> the operator's output type
 */
public interface IterationListener<T> extends io.github.flinkiteration.api.IterationListener<T> {

    /** Called once every record of round {@code epochWatermark} has reached this subtask. */
    void onEpochWatermarkIncremented(int epochWatermark, Context context, Collector<T> collector)
            throws Exception;

    /** Called once when the iteration ends; what it emits leaves through the outputs. */
    // Overloads the inherited method with flink-ml's Context; neither Context can be a lambda, so
    // no call is ambiguous.
    @SuppressWarnings("overloads")
    void onIterationTerminated(Context context, Collector<T> collector) throws Exception;

    @Override
    default void onRoundEnd(
            int round,
            io.github.flinkiteration.api.IterationListener.Context context,
            Collector<T> collector)
            throws Exception {
        onEpochWatermarkIncremented(round, new ListenerContextAdapter(context), collector);
    }

    @Override
    default void onIterationTerminated(
            io.github.flinkiteration.api.IterationListener.Context context, Collector<T> collector)
            throws Exception {
        onIterationTerminated(new ListenerContextAdapter(context), collector);
    }

    /** Lets a callback emit to side outputs. */
    interface Context {
        <X> void output(OutputTag<X> outputTag, X value);
    }
}
