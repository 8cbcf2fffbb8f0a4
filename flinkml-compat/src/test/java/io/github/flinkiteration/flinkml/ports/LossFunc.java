package io.github.flinkiteration.flinkml.ports;

import java.io.Serializable;

/**
 * What {@link SGD} minimizes, as flink-ml's {@code LossFunc}: a loss per example and its gradient.
 */
public interface LossFunc extends Serializable {

    /** The weighted loss of {@code point} under {@code coefficient}. */
    double computeLoss(LabeledPointWithWeight point, DenseVector coefficient);

    /** Adds the weighted gradient of the loss of {@code point} to {@code cumGradient}. */
    void computeGradient(
            LabeledPointWithWeight point, DenseVector coefficient, DenseVector cumGradient);
}
