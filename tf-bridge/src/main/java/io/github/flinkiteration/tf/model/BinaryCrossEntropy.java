package io.github.flinkiteration.tf.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** The mean binary cross-entropy of labels in {0, 1} against logits, as graph operations. */
public final class BinaryCrossEntropy {

    private BinaryCrossEntropy() {}

    /**
     * mean(max(z, 0) − z·y + log(1 + exp(−|z|))): the same value as −y·log σ(z) − (1 − y)·log(1 −
     * σ(z)), without overflow for large |z|.
     */
    public static Operand<TFloat32> fromLogits(
            Ops tf, Operand<TFloat32> logits, Operand<TFloat32> labels) {
        Operand<TFloat32> positivePart = tf.math.maximum(logits, tf.constant(0f));
        Operand<TFloat32> softPart = tf.math.log1p(tf.math.exp(tf.math.neg(tf.math.abs(logits))));
        Operand<TFloat32> perRow =
                tf.math.add(tf.math.sub(positivePart, tf.math.mul(logits, labels)), softPart);
        return tf.math.mean(perRow, tf.constant(new int[] {0, 1}));
    }
}
