package io.github.flinkiteration.tf.estimator;

import io.github.flinkiteration.tf.model.ModelSource;
import io.github.flinkiteration.tf.params.OptimizerType;
import java.io.Serializable;
import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Everything about a trained model except its weights: where its graph comes from, which columns
 * feed it, which columns a prediction adds. Together with the weights it is enough to open a
 * session for inference on any subtask.
 */
public final class TFModelDescription implements Serializable {

    private final ModelSource model;
    private final String[] inputCols;
    private final int[] inputSizes;
    private final String labelCol;
    private final String[] outputCols;
    private final TypeInformation<?>[] outputTypes;
    private final OptimizerType optimizer;
    private final float learningRate;

    TFModelDescription(
            ModelSource model,
            String[] inputCols,
            int[] inputSizes,
            String labelCol,
            String[] outputCols,
            TypeInformation<?>[] outputTypes,
            OptimizerType optimizer,
            float learningRate) {
        this.model = model;
        this.inputCols = inputCols.clone();
        this.inputSizes = inputSizes.clone();
        this.labelCol = labelCol;
        this.outputCols = outputCols.clone();
        this.outputTypes = outputTypes.clone();
        this.optimizer = optimizer;
        this.learningRate = learningRate;
    }

    /** A model used for inference only: no label, no training settings, columns set later. */
    static TFModelDescription forInference(ModelSource model) {
        return new TFModelDescription(
                model,
                new String[0],
                new int[0],
                null,
                new String[0],
                new TypeInformation<?>[0],
                OptimizerType.GRADIENT_DESCENT,
                0f);
    }

    /** The model's graph source. */
    public ModelSource model() {
        return model;
    }

    /** The feature columns, in the order the model reads them; empty when not known yet. */
    public String[] inputCols() {
        return inputCols.clone();
    }

    /** Per input column, the number of feature values it holds (1 for a number). */
    public int[] inputSizes() {
        return inputSizes.clone();
    }

    /** The number of feature values per row: the sum of the input sizes. */
    public int numFeatures() {
        return Arrays.stream(inputSizes).sum();
    }

    /** The label column of the training, or {@code null} for a model loaded for inference. */
    public String labelCol() {
        return labelCol;
    }

    /** The columns a prediction adds; empty when none were configured (training only). */
    public String[] outputCols() {
        return outputCols.clone();
    }

    public TypeInformation<?>[] outputTypes() {
        return outputTypes.clone();
    }

    /** The optimizer the graph was built with (part of a Java-built graph). */
    public OptimizerType optimizer() {
        return optimizer;
    }

    public float learningRate() {
        return learningRate;
    }

    @Override
    public String toString() {
        return "TFModelDescription{model="
                + model
                + ", inputCols="
                + Arrays.toString(inputCols)
                + ", labelCol="
                + labelCol
                + ", outputCols="
                + Arrays.toString(outputCols)
                + '}';
    }
}
