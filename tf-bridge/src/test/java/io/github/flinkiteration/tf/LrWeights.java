package io.github.flinkiteration.tf;

import io.github.flinkiteration.testing.ControlledSource;
import io.github.flinkiteration.tf.model.LogisticRegressionDefinition;
import io.github.flinkiteration.tf.model.ModelVersion;
import io.github.flinkiteration.tf.model.ModelWeights;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Hand-made logistic-regression weights for the blob data: version k is k times a base model. */
final class LrWeights {

    private static final float[] BASE = {0.5f, -0.5f, 0.25f, -0.25f};

    private LrWeights() {}

    static ModelWeights scaled(float factor) {
        float[] w = new float[BASE.length];
        for (int j = 0; j < w.length; j++) {
            w[j] = BASE[j] * factor;
        }
        return new ModelWeights(
                new String[] {
                    LogisticRegressionDefinition.BIAS, LogisticRegressionDefinition.WEIGHTS
                },
                new long[][] {{1}, {BASE.length, 1}},
                new float[][] {{0.1f * factor}, w});
    }

    /** Versions 1, 2, … of {@link #scaled} weights, each released by {@code gate}. */
    static DataStream<ModelVersion> gatedVersions(
            StreamExecutionEnvironment env, ControlledSource.Gate gate) {
        return env.fromSource(
                        ControlledSource.unbounded(
                                gate,
                                i -> new ModelVersion(i + 1, scaled(i + 1)),
                                TypeInformation.of(ModelVersion.class)),
                        WatermarkStrategy.noWatermarks(),
                        "versions")
                .setParallelism(1);
    }
}
