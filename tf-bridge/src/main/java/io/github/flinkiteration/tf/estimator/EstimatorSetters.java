package io.github.flinkiteration.tf.estimator;

import static io.github.flinkiteration.tf.params.TFEstimatorParams.BATCH_SIZE;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.INPUT_COLS;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.INPUT_SIZES;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.ITERATION_NAME;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.LABEL_COL;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.LEARNING_RATE;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.MODEL_DEFINITION;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.OPTIMIZER;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.OUTPUT_COLS;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.OUTPUT_TYPES;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.PARALLELISM;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.SAVED_MODEL;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.WARM_START_PATH;

import io.github.flinkiteration.tf.model.SavedModelDefinition;
import io.github.flinkiteration.tf.model.TFModelDefinition;
import io.github.flinkiteration.tf.params.OptimizerType;
import io.github.flinkiteration.tf.params.ParamValues;
import java.util.Optional;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * The settings {@link TFEstimator} (batch training) and {@link TFOnlineEstimator} (online training)
 * share. Each setter returns the estimator it was called on:
 *
 * <pre>{@code
 * new TFEstimator()
 *         .setInputCols("x0", "x1").setLabelCol("label")
 *         .setModelDefinition(new LogisticRegressionDefinition())
 *         .setLearningRate(0.05);
 * }</pre>
 *
 * @param <S> the estimator's own type
 */
public abstract sealed class EstimatorSetters<S extends EstimatorSetters<S>>
        permits TFEstimator, TFOnlineEstimator {

    final ParamValues params = new ParamValues();

    EstimatorSetters() {}

    @SuppressWarnings("unchecked")
    private S self() {
        return (S) this;
    }

    /** The numeric feature columns, in the order the model reads them. Required. */
    public S setInputCols(String... columns) {
        params.set(INPUT_COLS, columns == null ? null : columns.clone());
        return self();
    }

    /**
     * Per input column, the number of feature values it holds: 1 for a number, {@code n} for a
     * vector column ({@code float[]}, {@code double[]}, a Table's {@code ARRAY<FLOAT>}) of {@code
     * n} values; the model sees the columns' values concatenated. Default: 1 for every column, so
     * only needed with vector columns.
     *
     * <pre>{@code
     * estimator.setInputCols("embedding", "age").setInputSizes(16, 1);   // 17 features per row
     * }</pre>
     */
    public S setInputSizes(int... sizes) {
        params.set(INPUT_SIZES, sizes == null ? null : sizes.clone());
        return self();
    }

    /** The numeric label column (0 or 1 for the shipped models). Required. */
    public S setLabelCol(String column) {
        params.set(LABEL_COL, column);
        return self();
    }

    /**
     * The columns a prediction of the trained model adds, for inference (see {@link
     * TFModel#setOutputCols}). Optional: a training needs no output configuration. Give {@link
     * #setOutputTypes} for the same number of columns.
     */
    public S setOutputCols(String... columns) {
        params.set(OUTPUT_COLS, columns == null ? null : columns.clone());
        return self();
    }

    /** The types of the output columns: {@code Types.FLOAT} or {@code Types.DOUBLE}. */
    public S setOutputTypes(TypeInformation<?>... types) {
        params.set(OUTPUT_TYPES, types == null ? null : types.clone());
        return self();
    }

    /** Rows per mini-batch of one trainer (default 32). */
    public S setBatchSize(int rows) {
        params.set(BATCH_SIZE, rows);
        return self();
    }

    /** The learning rate (default 0.1). */
    public S setLearningRate(double rate) {
        params.set(LEARNING_RATE, rate);
        return self();
    }

    /** The optimizer of a model built in Java (default gradient descent). */
    public S setOptimizer(OptimizerType optimizer) {
        params.set(OPTIMIZER, optimizer);
        return self();
    }

    /** The model, built in Java. Excludes {@link #setSavedModel}. */
    public S setModelDefinition(TFModelDefinition definition) {
        params.set(MODEL_DEFINITION, definition);
        return self();
    }

    /** The model, loaded from a SavedModel. Excludes {@link #setModelDefinition}. */
    public S setSavedModel(SavedModelDefinition savedModel) {
        params.set(SAVED_MODEL, savedModel);
        return self();
    }

    /**
     * Start from the weights in a SavedModel directory or in a file written by {@code
     * ModelWeights#writeTo}, instead of the model's initial values. They must have the model's
     * variables.
     */
    public S setWarmStartPath(String path) {
        params.set(WARM_START_PATH, path);
        return self();
    }

    /** The number of trainer subtasks (default: the environment's parallelism). */
    public S setParallelism(int parallelism) {
        params.set(PARALLELISM, parallelism);
        return self();
    }

    /**
     * Names the training's iteration (default {@code tf-estimator}, {@code tf-online-estimator}):
     * the {@code iteration} label of its metrics, the iteration runtime's and tf-bridge's alike,
     * the start of its log lines, and the ids of the iteration's operators in savepoints. A second
     * training of a job left at the default gets {@code tf-estimator#2}, in build order; a name set
     * here must be the job's only iteration of that name.
     */
    public S setIterationName(String name) {
        params.set(ITERATION_NAME, name);
        return self();
    }

    /** The iteration's name, if one was set. */
    Optional<String> givenIterationName() {
        return Optional.ofNullable(params.get(ITERATION_NAME));
    }
}
