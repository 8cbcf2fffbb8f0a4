package io.github.flinkiteration.examples;

/**
 * One version of a logistic-regression model: {@code weights[0 … n − 1]} weigh the features and
 * {@code weights[n]} is the bias. Version 0 is the initial model; version {@code v} is the model
 * after {@code v} mini-batch updates.
 */
public class ModelVersion {

    public long version;

    public double[] weights;

    public ModelVersion() {}

    public ModelVersion(long version, double[] weights) {
        this.version = version;
        this.weights = weights;
    }

    /** The all-zero model for {@code features} features: version 0. */
    public static ModelVersion initial(int features) {
        return new ModelVersion(0, new double[features + 1]);
    }

    /** The probability this model gives to the positive class. */
    public double probability(double[] features) {
        double z = weights[features.length];
        for (int j = 0; j < features.length; j++) {
            z += weights[j] * features[j];
        }
        return 1 / (1 + Math.exp(-z));
    }

    /** Whether this model puts {@code point} in its class. */
    public boolean classifies(LabeledPoint point) {
        return (probability(point.features) >= 0.5) == (point.label == 1);
    }

    @Override
    public String toString() {
        return "ModelVersion{version=" + version + ", weights=" + weights.length + "}";
    }
}
