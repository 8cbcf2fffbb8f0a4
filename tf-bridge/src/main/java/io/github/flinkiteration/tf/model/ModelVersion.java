package io.github.flinkiteration.tf.model;

import java.util.Objects;

/**
 * One version of a model: its weights and a number that grows with every update. An online training
 * ({@code TFOnlineEstimator}) emits versions 1, 2, …; a model whose weights never change (a batch
 * training's result, a SavedModel, a weights file) scores as version 0. {@code TFModel#transform}
 * reports the version that scored each row. A Flink POJO.
 *
 * <pre>{@code
 * DataStream<ModelVersion> versions = new TFOnlineEstimator()...fit(events).getVersions();
 * versions.map(v -> "version " + v.version + ": " + v.weights).print();
 * }</pre>
 */
public class ModelVersion {

    /** The version number; later versions have larger numbers. */
    public long version;

    /** All variables of the model (for a trained version also the optimizer's). */
    public ModelWeights weights;

    /** For Flink's POJO serializer. */
    public ModelVersion() {}

    public ModelVersion(long version, ModelWeights weights) {
        this.version = version;
        this.weights = Objects.requireNonNull(weights, "weights");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelVersion
                && ((ModelVersion) o).version == version
                && Objects.equals(((ModelVersion) o).weights, weights);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, weights);
    }

    @Override
    public String toString() {
        return "ModelVersion{" + version + ", " + weights + '}';
    }
}
