package io.github.flinkiteration.api;

import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Round callbacks for an operator, or the function of an operator, inside an iteration body.
 *
 * <p>Per subtask, callbacks come in round order and never skip a round: {@code onRoundStart(r)}
 * before the first record of round {@code r} (or just before {@code onRoundEnd(r)} when there is
 * none), {@code onRoundEnd(r)} once every record of round {@code r} from every upstream subtask has
 * been processed, and {@code onIterationTerminated} once at the end. Records emitted from a
 * callback of round {@code r} belong to round {@code r}.
 *
 * <p>Rounds past {@link Integer#MAX_VALUE}, which only an unbounded iteration reaches, are passed
 * as {@link Integer#MAX_VALUE} (so every later round looks alike there); a callback that needs the
 * exact round reads {@link IterationRuntimeContext#currentRoundExact()}.
 *
 * <pre>{@code
 * class SumPerRound extends ProcessFunction<Double, Double> implements IterationListener<Double> {
 *     private double sum;
 *     public void processElement(Double v, Context ctx, Collector<Double> out) { sum += v; }
 *     public void onRoundEnd(int round, IterationListener.Context ctx, Collector<Double> out) {
 *         out.collect(sum);
 *         sum = 0;
 *     }
 * }
 * }</pre>
 *
 * @param <T> the operator's output type
 */
public interface IterationListener<T> {

    /** Called before the operator processes any record of {@code round}. */
    default void onRoundStart(int round, Context context, Collector<T> collector)
            throws Exception {}

    /** Called once every record of {@code round} has reached this subtask. */
    void onRoundEnd(int round, Context context, Collector<T> collector) throws Exception;

    /** Called once when the iteration ends; what it emits leaves through the outputs. */
    default void onIterationTerminated(Context context, Collector<T> collector) throws Exception {}

    /** Lets a callback emit to side outputs. */
    interface Context {
        <X> void output(OutputTag<X> outputTag, X value);
    }
}
