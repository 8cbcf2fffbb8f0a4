package io.github.flinkiteration.flinkml.ports;

/**
 * The logistic loss of a 0/1 label: with {@code y = 2 * label - 1} and {@code m = w · x}, the loss
 * is {@code weight * log(1 + exp(-y m))} and its gradient {@code -weight * y / (1 + exp(y m)) * x}.
 */
public final class BinaryLogisticLoss implements LossFunc {

    private static final long serialVersionUID = 1L;

    public static final BinaryLogisticLoss INSTANCE = new BinaryLogisticLoss();

    private BinaryLogisticLoss() {}

    @Override
    public double computeLoss(LabeledPointWithWeight point, DenseVector coefficient) {
        double margin = dot(point.features, coefficient);
        double sign = 2 * point.label - 1;
        return point.weight * Math.log1p(Math.exp(-sign * margin));
    }

    @Override
    public void computeGradient(
            LabeledPointWithWeight point, DenseVector coefficient, DenseVector cumGradient) {
        double margin = dot(point.features, coefficient);
        double sign = 2 * point.label - 1;
        double scale = -point.weight * sign / (1 + Math.exp(sign * margin));
        for (int j = 0; j < point.features.size(); j++) {
            cumGradient.values[j] += scale * point.features.values[j];
        }
    }

    static double dot(DenseVector a, DenseVector b) {
        double sum = 0;
        for (int j = 0; j < a.size(); j++) {
            sum += a.values[j] * b.values[j];
        }
        return sum;
    }
}
