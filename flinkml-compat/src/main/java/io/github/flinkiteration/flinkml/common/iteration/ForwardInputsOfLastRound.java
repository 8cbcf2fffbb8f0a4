package io.github.flinkiteration.flinkml.common.iteration;

import io.github.flinkiteration.flinkml.IterationListener;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Emits, when the iteration ends, the values this subtask received in the last round, and drops the
 * values of every earlier round: the way out of the loop for a model computed each round.
 *
 * <pre>{@code
 * DataStream<Model> finalModel = newModel.flatMap(new ForwardInputsOfLastRound<>());
 * return new IterationBodyResult(DataStreamList.of(newModel), DataStreamList.of(finalModel), ...);
 * }</pre>
 *
 * <p>It keeps the values of one round in memory (not in state, as flink-ml's does not).
 *
 * @param <T> the type of the values
 */
public class ForwardInputsOfLastRound<T> implements FlatMapFunction<T, T>, IterationListener<T> {

    private static final long serialVersionUID = 1L;

    private transient List<T> lastRound;
    private transient List<T> currentRound;

    @Override
    public void flatMap(T value, Collector<T> out) {
        current().add(value);
    }

    @Override
    public void onEpochWatermarkIncremented(int epochWatermark, Context context, Collector<T> out) {
        lastRound = current();
        currentRound = new ArrayList<>();
    }

    @Override
    public void onIterationTerminated(Context context, Collector<T> out) {
        if (lastRound != null) {
            lastRound.forEach(out::collect);
            lastRound = null;
        }
        if (currentRound != null && !currentRound.isEmpty()) {
            throw new IllegalStateException(
                    "ForwardInputsOfLastRound received "
                            + currentRound.size()
                            + " value(s) after the last round ended.");
        }
    }

    private List<T> current() {
        if (currentRound == null) {
            currentRound = new ArrayList<>();
        }
        return currentRound;
    }
}
