package io.github.flinkiteration.tf;

import io.github.flinkiteration.tf.model.ModelWeights;
import java.util.List;
import org.apache.flink.types.Row;

/**
 * Predictions computed in plain Java from trained weights, independent of TensorFlow: the forward
 * pass of logistic regression ({@code weights}, {@code bias}) or of an MLP ({@code
 * layer<i>_weights}, {@code layer<i>_bias}, ReLU between layers), then σ.
 */
final class JavaPredictor {

    private JavaPredictor() {}

    static double probability(ModelWeights weights, float[] x) {
        double[] activations = toDouble(x);
        if (weights.indexOf("weights") >= 0) {
            return sigmoid(
                    layer(activations, weights.valuesOf("weights"), weights.valuesOf("bias"), 1)[
                            0]);
        }
        for (int layer = 0; ; layer++) {
            float[] w = weights.valuesOf("layer" + layer + "_weights");
            float[] b = weights.valuesOf("layer" + layer + "_bias");
            double[] z = layer(activations, w, b, b.length);
            if (weights.indexOf("layer" + (layer + 1) + "_weights") < 0) {
                return sigmoid(z[0]);
            }
            for (int i = 0; i < z.length; i++) {
                z[i] = Math.max(0, z[i]);
            }
            activations = z;
        }
    }

    static double accuracy(ModelWeights weights, List<Row> rows) {
        int correct = 0;
        for (Row row : rows) {
            int predicted = probability(weights, BlobData.features(row)) >= 0.5 ? 1 : 0;
            if (predicted == (int) BlobData.label(row)) {
                correct++;
            }
        }
        return (double) correct / rows.size();
    }

    private static double[] layer(double[] in, float[] w, float[] b, int outputs) {
        double[] z = new double[outputs];
        for (int o = 0; o < outputs; o++) {
            double sum = b[o];
            for (int i = 0; i < in.length; i++) {
                sum += in[i] * w[i * outputs + o];
            }
            z[o] = sum;
        }
        return z;
    }

    private static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }
}
