package io.github.flinkiteration.tf.model;

import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * What a {@link TFModelDefinition} returns: the scalar loss to minimise over a mini-batch and the
 * prediction output, one row per input row.
 */
public final class ModelGraph {

    private final Operand<TFloat32> loss;
    private final Operand<TFloat32> predictions;

    private ModelGraph(Operand<TFloat32> loss, Operand<TFloat32> predictions) {
        this.loss = Objects.requireNonNull(loss, "loss");
        this.predictions = Objects.requireNonNull(predictions, "predictions");
    }

    /** A model with this scalar {@code loss} and these {@code predictions}. */
    public static ModelGraph of(Operand<TFloat32> loss, Operand<TFloat32> predictions) {
        return new ModelGraph(loss, predictions);
    }

    public Operand<TFloat32> loss() {
        return loss;
    }

    public Operand<TFloat32> predictions() {
        return predictions;
    }
}
