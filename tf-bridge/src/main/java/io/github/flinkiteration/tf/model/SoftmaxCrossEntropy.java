package io.github.flinkiteration.tf.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The mean softmax cross-entropy of class-index labels against logits, as graph operations: for a
 * row with logits z and label c, log Σ exp(z) − z_c.
 */
public final class SoftmaxCrossEntropy {

    private SoftmaxCrossEntropy() {}

    /**
     * {@code logits}: [batch, numClasses]; {@code labels}: [batch, 1] floats holding class indices
     * (the builder's label placeholder). Written with log-softmax and a one-hot mask, ops whose
     * gradients TF's C++ graph gradients (what TF Java trains with) have.
     */
    public static Operand<TFloat32> fromLogits(
            Ops tf, Operand<TFloat32> logits, Operand<TFloat32> labels, int numClasses) {
        Operand<TInt32> classes =
                tf.reshape(tf.dtypes.cast(labels, TInt32.class), tf.constant(new int[] {-1}));
        Operand<TFloat32> oneHot =
                tf.oneHot(classes, tf.constant(numClasses), tf.constant(1f), tf.constant(0f));
        Operand<TFloat32> logProbabilities = tf.nn.logSoftmax(logits);
        Operand<TFloat32> perRow =
                tf.math.neg(tf.sum(tf.math.mul(oneHot, logProbabilities), tf.constant(1)));
        return tf.math.mean(perRow, tf.constant(0));
    }
}
