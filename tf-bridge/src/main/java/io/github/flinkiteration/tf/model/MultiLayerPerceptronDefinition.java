package io.github.flinkiteration.tf.model;

import java.util.Arrays;
import java.util.Random;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * A multi-layer perceptron: ReLU hidden layers of the given widths, then either one logit (binary
 * classification: mean binary cross-entropy, prediction σ(logit)) or, from {@link #forClasses}, one
 * logit per class (labels are class indices 0 … k − 1: mean softmax cross-entropy, prediction the k
 * class probabilities). Weights start Glorot-uniform from a seeded {@link Random} (so every subtask
 * and every run starts alike), biases at zero.
 *
 * <pre>{@code
 * new TFEstimator().setModelDefinition(new MultiLayerPerceptronDefinition(42, 32, 16))...
 * new TFEstimator().setModelDefinition(MultiLayerPerceptronDefinition.forClasses(42, 3, 16))
 *         .setLabelCol("species")                          // an integer column: 0, 1 or 2
 *         .setOutputCols("probabilities").setOutputTypes(Types.PRIMITIVE_ARRAY(Types.FLOAT))...
 * }</pre>
 */
public final class MultiLayerPerceptronDefinition implements TFModelDefinition {

    private final long seed;
    private final int[] hiddenWidths;

    /** 0 for binary classification (one logit), else the number of classes. */
    private final int numClasses;

    /**
     * An MLP with hidden layers of {@code hiddenWidths}, initial weights drawn with {@code seed}.
     */
    public MultiLayerPerceptronDefinition(long seed, int... hiddenWidths) {
        this(seed, 0, hiddenWidths);
    }

    /**
     * An MLP that tells {@code numClasses} (at least 2) classes apart: labels are class indices,
     * the loss is softmax cross-entropy, the prediction the class probabilities.
     */
    public static MultiLayerPerceptronDefinition forClasses(
            long seed, int numClasses, int... hiddenWidths) {
        if (numClasses < 2) {
            throw new IllegalArgumentException(
                    "a classifier needs at least 2 classes, got "
                            + numClasses
                            + "; for a 0/1 label use new MultiLayerPerceptronDefinition(seed,"
                            + " widths...)");
        }
        return new MultiLayerPerceptronDefinition(seed, numClasses, hiddenWidths);
    }

    private MultiLayerPerceptronDefinition(long seed, int numClasses, int... hiddenWidths) {
        if (hiddenWidths.length == 0) {
            throw new IllegalArgumentException(
                    "an MLP needs at least one hidden layer; use LogisticRegressionDefinition for"
                            + " none");
        }
        for (int width : hiddenWidths) {
            if (width < 1) {
                throw new IllegalArgumentException(
                        "hidden layer widths must be >= 1, got " + Arrays.toString(hiddenWidths));
            }
        }
        this.seed = seed;
        this.hiddenWidths = hiddenWidths.clone();
        this.numClasses = numClasses;
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public ModelGraph build(ModelBuilder builder) {
        Ops tf = builder.tf();
        Random random = new Random(seed);
        Operand<TFloat32> activations = builder.features();
        int inputs = builder.numFeatures();
        for (int layer = 0; layer <= hiddenWidths.length; layer++) {
            boolean last = layer == hiddenWidths.length;
            int outputs = last ? Math.max(numClasses, 1) : hiddenWidths[layer];
            Variable<TFloat32> w =
                    builder.variable(
                            "layer" + layer + "_weights",
                            new long[] {inputs, outputs},
                            glorotUniform(random, inputs, outputs));
            Variable<TFloat32> b =
                    builder.variable(
                            "layer" + layer + "_bias", new long[] {outputs}, new float[outputs]);
            Operand<TFloat32> z = tf.math.add(tf.linalg.matMul(activations, w), b);
            activations = last ? z : tf.nn.relu(z);
            inputs = outputs;
        }
        if (numClasses > 0) {
            return ModelGraph.of(
                    SoftmaxCrossEntropy.fromLogits(tf, activations, builder.labels(), numClasses),
                    tf.nn.softmax(activations));
        }
        return ModelGraph.of(
                BinaryCrossEntropy.fromLogits(tf, activations, builder.labels()),
                tf.math.sigmoid(activations));
    }

    private static float[] glorotUniform(Random random, int fanIn, int fanOut) {
        double limit = Math.sqrt(6.0 / (fanIn + fanOut));
        float[] values = new float[fanIn * fanOut];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
        }
        return values;
    }

    @Override
    public String toString() {
        return "MultiLayerPerceptron"
                + Arrays.toString(hiddenWidths)
                + (numClasses > 0 ? " for " + numClasses + " classes" : "");
    }
}
