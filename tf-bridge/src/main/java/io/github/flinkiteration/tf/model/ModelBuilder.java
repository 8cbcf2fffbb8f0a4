package io.github.flinkiteration.tf.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * What a {@link TFModelDefinition} builds with: the graph's {@link Ops}, the number of features,
 * the input placeholders ({@code features}: [batch, numFeatures], {@code labels}: [batch, 1]) and a
 * way to create variables with initial values given in Java, so that every subtask starts from the
 * same weights.
 */
public final class ModelBuilder {

    private final Ops tf;
    private final int numFeatures;
    private final Placeholder<TFloat32> features;
    private final Placeholder<TFloat32> labels;
    private final List<String> variableNames = new ArrayList<>();

    /** Creates the placeholders named {@code features} and {@code labels} in {@code tf}'s graph. */
    public ModelBuilder(Ops tf, int numFeatures) {
        this.tf = tf;
        this.numFeatures = numFeatures;
        this.features =
                tf.withName("features")
                        .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, numFeatures)));
        this.labels =
                tf.withName("labels")
                        .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 1)));
    }

    public Ops tf() {
        return tf;
    }

    public int numFeatures() {
        return numFeatures;
    }

    /** Features of a mini-batch: [batch, numFeatures]. */
    public Placeholder<TFloat32> features() {
        return features;
    }

    /** Labels of a mini-batch: [batch, 1]. */
    public Placeholder<TFloat32> labels() {
        return labels;
    }

    /**
     * A trainable variable named {@code name} of {@code shape}, starting at {@code initialValues}
     * (row-major).
     */
    public Variable<TFloat32> variable(String name, long[] shape, float[] initialValues) {
        if (ModelWeights.elementCount(shape) != initialValues.length) {
            throw new IllegalArgumentException(
                    "variable "
                            + name
                            + ": "
                            + initialValues.length
                            + " initial values do not fill shape "
                            + Shape.of(shape));
        }
        if (variableNames.contains(name)) {
            throw new IllegalArgumentException("a variable named " + name + " exists already");
        }
        variableNames.add(name);
        return tf.withName(name)
                .variable(
                        tf.withInitScope()
                                .constant(
                                        Shape.of(shape),
                                        DataBuffers.of(initialValues, true, false)));
    }

    /** The names of the variables created so far, in creation order. */
    public List<String> variableNames() {
        return Collections.unmodifiableList(variableNames);
    }
}
