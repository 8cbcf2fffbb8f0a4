package io.github.flinkiteration.tf.params;

import io.github.flinkiteration.api.ConvergenceCriterion;
import io.github.flinkiteration.tf.model.SavedModelDefinition;
import io.github.flinkiteration.tf.model.TFModelDefinition;
import java.util.Arrays;
import java.util.HashSet;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** The parameters of a {@code TFEstimator}, with their defaults and rules. */
public final class TFEstimatorParams {

    private TFEstimatorParams() {}

    public static final Param<String[]> INPUT_COLS =
            Param.of(
                    "inputCols",
                    "the numeric columns that form the features, in order",
                    null,
                    TFEstimatorParams::distinctNames,
                    "at least one column name, without blanks or repeats");

    public static final Param<String> LABEL_COL =
            Param.of(
                    "labelCol",
                    "the numeric column with the label, 0 or 1",
                    null,
                    name -> !name.isBlank(),
                    "a column name");

    public static final Param<String[]> OUTPUT_COLS =
            Param.of(
                    "outputCols",
                    "the columns a model adds to rows when it predicts; only for inference",
                    new String[0],
                    names -> names.length == 0 || distinctNames(names),
                    "column names without blanks or repeats");

    public static final Param<TypeInformation<?>[]> OUTPUT_TYPES =
            Param.of(
                    "outputTypes",
                    "the types of the output columns (Types.FLOAT or Types.DOUBLE)",
                    new TypeInformation<?>[0],
                    types -> Arrays.stream(types).allMatch(TFEstimatorParams::isOutputType),
                    "Types.FLOAT, Types.DOUBLE or Types.PRIMITIVE_ARRAY(Types.FLOAT) for each"
                            + " output column");

    public static final Param<int[]> INPUT_SIZES =
            Param.of(
                    "inputSizes",
                    "per input column, the number of feature values it holds: 1 for a number, n"
                            + " for a vector column (float[], double[], ARRAY<FLOAT>) of n values",
                    null,
                    sizes -> Arrays.stream(sizes).allMatch(n -> n >= 1),
                    "at least 1 for each input column");

    public static final Param<Integer> BATCH_SIZE =
            Param.of("batchSize", "rows per mini-batch", 32, n -> n >= 1, "at least 1");

    public static final Param<Double> LEARNING_RATE =
            Param.of(
                    "learningRate",
                    "the optimizer's learning rate",
                    0.1,
                    rate -> rate > 0 && Double.isFinite(rate),
                    "a positive finite number");

    public static final Param<OptimizerType> OPTIMIZER =
            Param.of("optimizer", "the optimizer", OptimizerType.GRADIENT_DESCENT);

    public static final Param<Integer> MAX_ROUNDS =
            Param.of(
                    "maxRounds",
                    "the most rounds (passes over the data) to train",
                    10,
                    n -> n >= 1,
                    "at least 1");

    public static final Param<Double> TOLERANCE =
            Param.of(
                    "tolerance",
                    "stop after the first round whose loss differs from the previous round's by"
                            + " less than this",
                    null,
                    tolerance -> tolerance > 0 && Double.isFinite(tolerance),
                    "a positive finite number");

    public static final Param<ConvergenceCriterion<Double>> CONVERGENCE_CRITERION =
            Param.of(
                    "convergenceCriterion",
                    "a criterion on the per-round losses that stops the training when it holds",
                    null);

    public static final Param<RemainderPolicy> REMAINDER_POLICY =
            Param.of(
                    "remainderPolicy",
                    "what to do with a last mini-batch that is not full",
                    RemainderPolicy.PARTIAL);

    public static final Param<TFModelDefinition> MODEL_DEFINITION =
            Param.of("modelDefinition", "a model built in Java", null);

    public static final Param<SavedModelDefinition> SAVED_MODEL =
            Param.of("savedModel", "a model loaded from a SavedModel directory", null);

    public static final Param<String> WARM_START_PATH =
            Param.of(
                    "warmStartPath",
                    "a SavedModel directory or a ModelWeights file to start from",
                    null,
                    path -> !path.isBlank(),
                    "a path");

    public static final Param<String> EXPORT_PATH =
            Param.of(
                    "exportPath",
                    "a directory to export the model to as SavedModels",
                    null,
                    path -> !path.isBlank(),
                    "a path");

    public static final Param<Integer> EXPORT_EVERY_ROUNDS =
            Param.of(
                    "exportEveryRounds",
                    "export every this many rounds as well as at the end (0: only at the end)",
                    0,
                    n -> n >= 0,
                    "0 or more");

    public static final Param<Integer> PARALLELISM =
            Param.of(
                    "parallelism",
                    "the number of trainer subtasks (default: the environment's parallelism)",
                    null,
                    n -> n >= 1,
                    "at least 1");

    public static final Param<String> ITERATION_NAME =
            Param.of(
                    "iterationName",
                    "the training iteration's name, the label of its metrics and log lines"
                            + " (default tf-estimator or tf-online-estimator)",
                    null,
                    name -> !name.isBlank(),
                    "a non-blank name");

    private static boolean distinctNames(String[] names) {
        return names.length > 0
                && Arrays.stream(names).allMatch(n -> n != null && !n.isBlank())
                && new HashSet<>(Arrays.asList(names)).size() == names.length;
    }

    private static boolean isOutputType(TypeInformation<?> type) {
        return type != null
                && (type.getTypeClass() == Float.class
                        || type.getTypeClass() == Double.class
                        || type.getTypeClass() == float[].class);
    }
}
