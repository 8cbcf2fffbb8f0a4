package io.github.flinkiteration.tf.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Binary logistic regression: logits = features · w + b, loss = mean binary cross-entropy,
 * prediction = σ(logits), the probability of label 1. Weights {@code w} [numFeatures, 1] and {@code
 * b} [1] start at zero.
 *
 * <pre>{@code
 * new TFEstimator().setModelDefinition(new LogisticRegressionDefinition())...
 * }</pre>
 */
public final class LogisticRegressionDefinition implements TFModelDefinition {

    /** The weight matrix' variable name. */
    public static final String WEIGHTS = "weights";

    /** The bias' variable name. */
    public static final String BIAS = "bias";

    @Override
    public ModelGraph build(ModelBuilder builder) {
        Ops tf = builder.tf();
        int n = builder.numFeatures();
        Variable<TFloat32> w = builder.variable(WEIGHTS, new long[] {n, 1}, new float[n]);
        Variable<TFloat32> b = builder.variable(BIAS, new long[] {1}, new float[1]);
        Operand<TFloat32> logits = tf.math.add(tf.linalg.matMul(builder.features(), w), b);
        return ModelGraph.of(
                BinaryCrossEntropy.fromLogits(tf, logits, builder.labels()),
                tf.math.sigmoid(logits));
    }

    @Override
    public String toString() {
        return "LogisticRegression";
    }
}
