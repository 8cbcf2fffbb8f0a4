package io.github.flinkiteration.tf.model;

import java.io.Serializable;

/**
 * A model as a piece of Java that builds its TensorFlow graph: given the feature and label
 * placeholders, it creates the variables and returns the loss and the prediction output. The
 * training adds the train op with the configured optimizer.
 *
 * <p>A definition is shipped to every subtask, which builds its own graph in {@code open}, and is
 * built once on the client when {@code fit} is called (to check it and to take the starting
 * weights). So {@link #build} must be deterministic: same graph, same variable names, same initial
 * values every time.
 *
 * <pre>{@code
 * TFModelDefinition linear = builder -> {
 *     Ops tf = builder.tf();
 *     Variable<TFloat32> w = builder.variable("w", new long[] {builder.numFeatures(), 1}, new float[builder.numFeatures()]);
 *     Variable<TFloat32> b = builder.variable("b", new long[] {1}, new float[1]);
 *     Operand<TFloat32> logits = tf.math.add(tf.linalg.matMul(builder.features(), w), b);
 *     return ModelGraph.of(BinaryCrossEntropy.fromLogits(tf, logits, builder.labels()), tf.math.sigmoid(logits));
 * };
 * }</pre>
 *
 * @see LogisticRegressionDefinition
 * @see MultiLayerPerceptronDefinition
 * @see SavedModelDefinition
 */
@FunctionalInterface
public interface TFModelDefinition extends Serializable {

    /** Builds the model into {@code builder}'s graph and returns its loss and predictions. */
    ModelGraph build(ModelBuilder builder);

    /**
     * The number of classes when the label is a class index (0 to {@code numClasses() - 1}), which
     * {@code fit} then requires of the label column and every row; 0 (the default) when the label
     * is any number.
     */
    default int numClasses() {
        return 0;
    }
}
