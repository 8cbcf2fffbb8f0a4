package io.github.flinkiteration.tf.runtime;

import io.github.flinkiteration.tf.model.ModelVersion;
import io.github.flinkiteration.tf.model.ModelWeights;
import org.apache.flink.api.common.functions.MapFunction;

/** Labels weights that never change (a batch training's result) as one fixed model version. */
public final class AsModelVersion implements MapFunction<ModelWeights, ModelVersion> {

    private final long version;

    public AsModelVersion(long version) {
        this.version = version;
    }

    @Override
    public ModelVersion map(ModelWeights weights) {
        return new ModelVersion(version, weights);
    }
}
