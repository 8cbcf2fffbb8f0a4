package io.github.flinkiteration.tf;

import io.github.flinkiteration.tf.estimator.TFModel;
import io.github.flinkiteration.tf.model.ModelWeights;
import io.github.flinkiteration.tf.model.RoundLoss;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/** Runs the job of a fitted model and collects its final weights and its per-round losses. */
final class TrainingRun {

    final List<ModelWeights> weights = new ArrayList<>();
    final List<RoundLoss> losses = new ArrayList<>();

    static TrainingRun execute(StreamExecutionEnvironment env, TFModel model) throws Exception {
        TrainingRun run = new TrainingRun();
        try (CloseableIterator<ModelWeights> weights = model.getWeights().collectAsync();
                CloseableIterator<RoundLoss> losses = model.getLosses().collectAsync()) {
            env.execute("tf training");
            weights.forEachRemaining(run.weights::add);
            losses.forEachRemaining(run.losses::add);
        }
        run.losses.sort((a, b) -> Integer.compare(a.round, b.round));
        return run;
    }

    /** The only final weights; fails if there is not exactly one record. */
    ModelWeights finalWeights() {
        if (weights.size() != 1) {
            throw new AssertionError("expected one final weights record, got " + weights.size());
        }
        return weights.get(0);
    }

    List<Double> lossValues() {
        List<Double> values = new ArrayList<>();
        losses.forEach(l -> values.add(l.loss));
        return values;
    }
}
