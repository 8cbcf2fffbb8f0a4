package io.github.flinkiteration.tf.estimator;

import static io.github.flinkiteration.tf.params.TFEstimatorParams.BATCH_SIZE;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.INPUT_COLS;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.INPUT_SIZES;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.LABEL_COL;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.LEARNING_RATE;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.MODEL_DEFINITION;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.OPTIMIZER;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.OUTPUT_COLS;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.OUTPUT_TYPES;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.PARALLELISM;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.SAVED_MODEL;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.WARM_START_PATH;

import io.github.flinkiteration.tf.model.ModelSource;
import io.github.flinkiteration.tf.model.ModelWeights;
import io.github.flinkiteration.tf.model.SavedModelDefinition;
import io.github.flinkiteration.tf.model.TFModelDefinition;
import io.github.flinkiteration.tf.params.InvalidParameterException;
import io.github.flinkiteration.tf.params.OptimizerType;
import io.github.flinkiteration.tf.params.ParamValues;
import io.github.flinkiteration.tf.params.RemainderPolicy;
import io.github.flinkiteration.tf.runtime.BySequence;
import io.github.flinkiteration.tf.runtime.ExampleSequence;
import io.github.flinkiteration.tf.runtime.FeatureColumns;
import io.github.flinkiteration.tf.runtime.PassThrough;
import io.github.flinkiteration.tf.runtime.RowToExample;
import io.github.flinkiteration.tf.runtime.TrainingExample;
import io.github.flinkiteration.tf.runtime.TrainingSettings;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.types.Row;

/**
 * What batch and online training share of an estimator's configuration, checked against the input's
 * columns when {@code fit} is called: the feature and label columns, the model and its optimizer,
 * the columns its predictions add, and how rows become partitioned examples.
 */
final class TrainingInputs {

    final String[] inputCols;
    final String labelCol;
    final String[] outputCols;
    final TypeInformation<?>[] outputTypes;
    final ModelSource model;
    final OptimizerType optimizer;
    final float learningRate;

    /** Per input column, the number of feature values it holds. */
    final int[] inputSizes;

    private final ParamValues params;
    private final FeatureColumns features;
    private final int labelPosition;

    /** Checks {@code params} against {@code columns}; every error names its parameter. */
    TrainingInputs(ParamValues params, InputColumns columns) {
        this.params = params;
        inputCols = params.getRequired(INPUT_COLS, "setInputCols(...)");
        labelCol = params.getRequired(LABEL_COL, "setLabelCol(...)");
        inputSizes = inputSizes(params, inputCols);
        int[] featurePositions = new int[inputCols.length];
        for (int i = 0; i < inputCols.length; i++) {
            featurePositions[i] =
                    columns.featureColumn(
                            inputCols[i],
                            inputSizes[i],
                            params.isSet(INPUT_SIZES),
                            INPUT_COLS.name());
        }
        features = new FeatureColumns(featurePositions, inputCols, inputSizes);
        labelPosition = columns.numericColumn(labelCol, LABEL_COL.name());
        if (List.of(inputCols).contains(labelCol)) {
            throw new InvalidParameterException(
                    LABEL_COL.name(),
                    labelCol + " is also an input column; remove it from setInputCols");
        }
        outputCols = params.get(OUTPUT_COLS);
        outputTypes = params.get(OUTPUT_TYPES);
        checkOutputs(columns, outputCols, outputTypes);
        model = modelSource(params);
        if (model.definition() != null
                && model.definition().numClasses() > 0
                && !columns.isIntegral(labelPosition)) {
            throw new InvalidParameterException(
                    LABEL_COL.name(),
                    "column "
                            + labelCol
                            + " is "
                            + columns.typeName(labelPosition)
                            + ", but the model "
                            + model.definition()
                            + " takes a class index from 0 to "
                            + (model.definition().numClasses() - 1)
                            + " as its label: give it an integer column (TINYINT to BIGINT)");
        }
        optimizer = params.get(OPTIMIZER);
        learningRate = params.get(LEARNING_RATE).floatValue();
    }

    /** The sizes of setInputSizes, which must give one per input column, or 1 for each column. */
    static int[] inputSizes(ParamValues params, String[] inputCols) {
        if (!params.isSet(INPUT_SIZES)) {
            int[] ones = new int[inputCols.length];
            Arrays.fill(ones, 1);
            return ones;
        }
        int[] sizes = params.get(INPUT_SIZES);
        if (sizes.length != inputCols.length) {
            throw new InvalidParameterException(
                    INPUT_SIZES.name(),
                    sizes.length
                            + " sizes for "
                            + inputCols.length
                            + " input columns; give setInputSizes one size per column of"
                            + " setInputCols (1 for a number)");
        }
        return sizes.clone();
    }

    /** The number of feature values per row: what the model's feature matrix is wide. */
    int numFeatures() {
        return features.width();
    }

    /**
     * The model's starting weights, or those of the warm-start path. Builds the model once on the
     * client (loading TensorFlow there), which also checks it.
     */
    ModelWeights startingWeights() {
        String modelParameter =
                model.definition() != null ? MODEL_DEFINITION.name() : SAVED_MODEL.name();
        return StartingWeights.resolve(
                model,
                modelParameter,
                numFeatures(),
                optimizer,
                learningRate,
                params.get(WARM_START_PATH));
    }

    TrainingSettings settings(RemainderPolicy remainder, String exportPath, int exportEveryRounds) {
        return new TrainingSettings(
                model,
                numFeatures(),
                optimizer,
                learningRate,
                params.get(BATCH_SIZE),
                remainder,
                exportPath,
                exportEveryRounds);
    }

    /** The number of trainer subtasks: the parameter, or the environment's parallelism. */
    int parallelism(DataStream<Row> rows) {
        Integer configured = params.get(PARALLELISM);
        return configured != null ? configured : rows.getExecutionEnvironment().getParallelism();
    }

    /**
     * The rows as examples, row {@code i} of each upstream subtask going to trainer {@code i mod
     * parallelism}, so that the split does not depend on timing.
     */
    DataStream<TrainingExample> partitionedExamples(DataStream<Row> rows, int parallelism) {
        TypeInformation<TrainingExample> exampleType = TypeInformation.of(TrainingExample.class);
        int numClasses = model.definition() != null ? model.definition().numClasses() : 0;
        return rows.map(new RowToExample(features, labelPosition, labelCol, numClasses))
                .returns(exampleType)
                .setParallelism(rows.getParallelism())
                .name("tf: rows to examples")
                .partitionCustom(new BySequence(), new ExampleSequence())
                .map(new PassThrough())
                .returns(exampleType)
                .setParallelism(parallelism)
                .name("tf: partition rows");
    }

    TFModelDescription description() {
        return new TFModelDescription(
                model,
                inputCols,
                inputSizes,
                labelCol,
                outputCols,
                outputTypes,
                optimizer,
                learningRate);
    }

    /** The model set in {@code params}: exactly one of a definition and a SavedModel. */
    static ModelSource modelSource(ParamValues params) {
        TFModelDefinition definition = params.get(MODEL_DEFINITION);
        SavedModelDefinition savedModel = params.get(SAVED_MODEL);
        if (definition != null && savedModel != null) {
            throw new InvalidParameterException(
                    MODEL_DEFINITION.name(),
                    "both setModelDefinition and setSavedModel were called; a model has one"
                            + " model, so call only one of them");
        }
        if (definition == null && savedModel == null) {
            throw new InvalidParameterException(
                    MODEL_DEFINITION.name(),
                    "no model: call setModelDefinition(...) (e.g. new"
                            + " LogisticRegressionDefinition()) or setSavedModel(...)");
        }
        return definition != null ? ModelSource.of(definition) : ModelSource.of(savedModel);
    }

    /** Output columns need one type each and must not clash with input columns. */
    static void checkOutputs(
            InputColumns columns, String[] outputCols, TypeInformation<?>[] outputTypes) {
        if (outputCols.length != outputTypes.length) {
            throw new InvalidParameterException(
                    OUTPUT_TYPES.name(),
                    outputCols.length
                            + " output columns but "
                            + outputTypes.length
                            + " output types; give setOutputTypes one type per column of"
                            + " setOutputCols");
        }
        for (String column : outputCols) {
            if (columns.contains(column)) {
                throw new InvalidParameterException(
                        OUTPUT_COLS.name(),
                        "the input has a column "
                                + column
                                + " already; choose another name for the output");
            }
        }
    }
}
