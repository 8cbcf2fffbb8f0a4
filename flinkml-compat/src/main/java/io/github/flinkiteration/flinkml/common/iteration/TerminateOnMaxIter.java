package io.github.flinkiteration.flinkml.common.iteration;

import io.github.flinkiteration.flinkml.IterationListener;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * A termination-criteria function for at most {@code maxIter} rounds: at the end of each round but
 * the last it emits one record, so the criteria stream is empty in round {@code maxIter - 1} and
 * the iteration stops there. Listeners see epochs {@code 0 … maxIter - 1}.
 *
 * <pre>{@code
 * DataStream<Integer> criteria = newModel.flatMap(new TerminateOnMaxIter<>(maxIter));
 * return new IterationBodyResult(feedback, outputs, criteria);
 * }</pre>
 *
 * @param <T> the type of the stream it is applied to; its records are ignored
 */
public class TerminateOnMaxIter<T>
        implements IterationListener<Integer>, FlatMapFunction<T, Integer> {

    private static final long serialVersionUID = 1L;

    private final int maxIter;

    /** Stops the iteration after {@code maxIter} rounds. */
    public TerminateOnMaxIter(Integer maxIter) {
        this.maxIter = maxIter;
    }

    @Override
    public void flatMap(T value, Collector<Integer> out) {}

    @Override
    public void onEpochWatermarkIncremented(
            int epochWatermark, Context context, Collector<Integer> collector) {
        // A record keeps the iteration going for one more round.
        if (epochWatermark + 1 < maxIter) {
            collector.collect(0);
        }
    }

    @Override
    public void onIterationTerminated(Context context, Collector<Integer> collector) {}
}
