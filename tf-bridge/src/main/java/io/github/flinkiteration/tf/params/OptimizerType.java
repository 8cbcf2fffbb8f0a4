package io.github.flinkiteration.tf.params;

import org.tensorflow.Graph;
import org.tensorflow.framework.optimizers.Adam;
import org.tensorflow.framework.optimizers.GradientDescent;
import org.tensorflow.framework.optimizers.Optimizer;

/** The optimizer that trains a model built from a {@code TFModelDefinition}. */
public enum OptimizerType {
    /** Plain gradient descent; deterministic, also with several sessions running at once. */
    GRADIENT_DESCENT {
        @Override
        public Optimizer create(Graph graph, float learningRate) {
            return new GradientDescent(graph, learningRate);
        }
    },
    /**
     * Adam. TF Java's implementation is not deterministic when several sessions run concurrently,
     * so two runs at parallelism > 1 may differ slightly.
     */
    ADAM {
        @Override
        public Optimizer create(Graph graph, float learningRate) {
            return new Adam(graph, learningRate);
        }
    };

    /** The optimizer for {@code graph}. */
    public abstract Optimizer create(Graph graph, float learningRate);
}
