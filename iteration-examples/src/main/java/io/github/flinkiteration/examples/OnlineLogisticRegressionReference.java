package io.github.flinkiteration.examples;

import java.util.ArrayList;
import java.util.List;

/**
 * The online logistic regression done sequentially in plain Java, for checking the Flink version
 * against: mini-batch {@code k} is examples {@code k·B … (k + 1)·B − 1}, each batch one
 * gradient-descent step on its mean log-loss, starting from all-zero weights.
 */
public final class OnlineLogisticRegressionReference {

    private OnlineLogisticRegressionReference() {}

    /** The weights (bias last) after each of the first {@code batches} mini-batches. */
    public static List<double[]> weights(int batches, int batchSize, double learningRate) {
        int features = LabeledPoints.FEATURES;
        double[] w = new double[features + 1];
        List<double[]> result = new ArrayList<>();
        for (int k = 0; k < batches; k++) {
            double[] gradient = new double[features + 1];
            for (long i = (long) k * batchSize; i < (long) (k + 1) * batchSize; i++) {
                LabeledPoint p = LabeledPoints.generate(i);
                double z = w[features];
                for (int j = 0; j < features; j++) {
                    z += w[j] * p.features[j];
                }
                double error = 1 / (1 + Math.exp(-z)) - p.label;
                for (int j = 0; j < features; j++) {
                    gradient[j] += error * p.features[j];
                }
                gradient[features] += error;
            }
            for (int j = 0; j <= features; j++) {
                w[j] -= learningRate * gradient[j] / batchSize;
            }
            result.add(w.clone());
        }
        return result;
    }
}
