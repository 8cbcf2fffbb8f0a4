package io.github.flinkiteration.tf.estimator;

import io.github.flinkiteration.tf.model.ModelWeights;
import io.github.flinkiteration.tf.model.RoundLoss;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The result of {@link TFEstimator#fit}: the model's description (known when the job is built) and,
 * as streams of the job, its final weights and the loss of every round.
 *
 * <pre>{@code
 * TFModel model = estimator.fit(rows);
 * model.getLosses().print();                                  // one RoundLoss per round
 * try (CloseableIterator<ModelWeights> w = model.getWeights().executeAndCollect()) {
 *     ModelWeights trained = w.next();                        // exactly one record
 * }
 * }</pre>
 */
public final class TFModel {

    private final TFModelDescription description;
    private final DataStream<ModelWeights> weights;
    private final DataStream<RoundLoss> losses;

    TFModel(
            TFModelDescription description,
            DataStream<ModelWeights> weights,
            DataStream<RoundLoss> losses) {
        this.description = description;
        this.weights = weights;
        this.losses = losses;
    }

    public TFModelDescription getDescription() {
        return description;
    }

    /** One record, when the training ends: the averaged weights after the last round. */
    public DataStream<ModelWeights> getWeights() {
        return weights;
    }

    /** One record per round, in round order. */
    public DataStream<RoundLoss> getLosses() {
        return losses;
    }
}
