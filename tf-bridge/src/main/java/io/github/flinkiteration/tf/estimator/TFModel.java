package io.github.flinkiteration.tf.estimator;

import static io.github.flinkiteration.tf.params.TFEstimatorParams.INPUT_COLS;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.INPUT_SIZES;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.OUTPUT_COLS;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.OUTPUT_TYPES;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.PARALLELISM;
import static io.github.flinkiteration.tf.params.TFModelParams.BATCH_SIZE;
import static io.github.flinkiteration.tf.params.TFModelParams.MAX_DELAY;
import static io.github.flinkiteration.tf.params.TFModelParams.VERSION_COL;

import io.github.flinkiteration.tf.model.ModelSource;
import io.github.flinkiteration.tf.model.ModelVersion;
import io.github.flinkiteration.tf.model.ModelWeights;
import io.github.flinkiteration.tf.model.RoundLoss;
import io.github.flinkiteration.tf.model.SavedModelDefinition;
import io.github.flinkiteration.tf.model.TFModelDefinition;
import io.github.flinkiteration.tf.params.InvalidParameterException;
import io.github.flinkiteration.tf.params.ParamValues;
import io.github.flinkiteration.tf.runtime.AsModelVersion;
import io.github.flinkiteration.tf.runtime.FeatureColumns;
import io.github.flinkiteration.tf.runtime.InferenceSettings;
import io.github.flinkiteration.tf.runtime.ModelSession;
import io.github.flinkiteration.tf.runtime.OutputKind;
import io.github.flinkiteration.tf.runtime.ScoringOperator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.types.Row;
import org.tensorflow.Signature;
import org.tensorflow.proto.DataType;

/**
 * A TensorFlow model that scores rows: the result of a training ({@link TFEstimator#fit}, {@link
 * TFOnlineEstimator#fit}) or a model loaded for inference only ({@link #fromSavedModel}, {@link
 * #fromWeights}, {@link #fromWeightsFile}, {@link #fromVersions}). {@link #transform} adds the
 * configured output columns and a version column to every row, bounded or unbounded, in the same
 * job as the training or in another one.
 *
 * <pre>{@code
 * TFModel model = new TFEstimator()
 *         .setInputCols("x0", "x1").setLabelCol("label")
 *         .setModelDefinition(new MultiLayerPerceptronDefinition(42, 16))
 *         .fit(trainingRows);
 * DataStream<Row> scored = model
 *         .setOutputCols("probability").setOutputTypes(Types.DOUBLE)
 *         .transform(events);              // rows + probability + model_version
 *
 * // Inference only, in any job:
 * TFModel saved = TFModel.fromSavedModel("/models/blobs/final")
 *         .setInputCols("x0", "x1").setOutputCols("probability").setOutputTypes(Types.DOUBLE);
 * }</pre>
 *
 * <p>Rows are scored in mini-batches of {@link #setBatchSize} rows; a partly filled batch waits at
 * most {@link #setMaxDelay} (default 10 ms), so every result leaves as soon as it is computed and
 * no row waits for the next one. Rows that arrive before the model (the training of the same job
 * has not finished, an online training has not emitted its first version) wait for it, in memory
 * and in checkpoints. A model whose weights change (an online training, {@link #fromVersions})
 * switches to each new version between two batches, and the version column says which version
 * scored each row; a model with fixed weights scores as version 0.
 *
 * <p>The setters configure inference and return this model; {@code transform} checks them against
 * the input and the model and throws an {@link InvalidParameterException} naming the parameter.
 */
public final class TFModel {

    private final TFModelDescription description;
    private final DataStream<ModelWeights> weights;
    private final DataStream<RoundLoss> losses;

    /** For a batch training: made from {@link #weights} when first needed. */
    private DataStream<ModelVersion> versions;

    private final ModelWeights fixedWeights;
    private final ParamValues params = new ParamValues();

    private TFModel(
            TFModelDescription description,
            DataStream<ModelWeights> weights,
            DataStream<RoundLoss> losses,
            DataStream<ModelVersion> versions,
            ModelWeights fixedWeights) {
        this.description = description;
        this.weights = weights;
        this.losses = losses;
        this.versions = versions;
        this.fixedWeights = fixedWeights;
    }

    /** The result of a batch training: its final weights and per-round losses. */
    static TFModel trained(
            TFModelDescription description,
            DataStream<ModelWeights> weights,
            DataStream<RoundLoss> losses) {
        return new TFModel(description, weights, losses, null, null);
    }

    /** The result of an online training: a stream of versions. */
    static TFModel online(TFModelDescription description, DataStream<ModelVersion> versions) {
        return new TFModel(description, null, null, versions, null);
    }

    /**
     * A model for inference from a SavedModel directory (the {@code final} or {@code round-<n>}
     * export of a training, or one with the same serving signature). Set the input and output
     * columns before {@link #transform}. The directory is read when the job is built and by every
     * scoring subtask, so it must be readable from the client and the TaskManagers.
     */
    public static TFModel fromSavedModel(String directory) {
        return fromSavedModel(directory, SavedModelDefinition.DEFAULT_SERVING_SIGNATURE);
    }

    /**
     * A model for inference from the signature {@code signatureKey} of a SavedModel directory, for
     * example one exported by TensorFlow 2 or Keras. A signature of the form {@code features ->
     * predictions} (a TFEstimator export) takes the input columns as one feature matrix; any other
     * signature takes its inputs by name, each from the column of the same name (numbers and
     * vectors as float tensors, strings as string tensors), and each output column is the signature
     * output of its name ({@code FLOAT}/{@code DOUBLE} for one value per row, {@code float[]} for
     * more; by default all outputs).
     *
     * <pre>{@code
     * // serving_default(text: string[batch], numbers: float[batch, 3]) -> probabilities: float[batch, 3]
     * DataStream<Row> scored = TFModel.fromSavedModel("/models/keras/1", "serving_default")
     *         .setOutputCols("probabilities")            // a float[] column
     *         .transform(rows);                          // rows with columns text and numbers
     * }</pre>
     *
     * <p>The SavedModel's graph runs inside the TaskManagers with their rights: load only models
     * from sources you trust (see docs/tf-bridge.md, "Trust").
     */
    public static TFModel fromSavedModel(String directory, String signatureKey) {
        ModelSource source =
                ModelSource.of(
                        new SavedModelDefinition(
                                directory,
                                SavedModelDefinition.DEFAULT_TRAIN_SIGNATURE,
                                signatureKey));
        return new TFModel(TFModelDescription.forInference(source), null, null, null, null);
    }

    /** A model for inference: the graph of {@code definition} with {@code weights}. */
    public static TFModel fromWeights(TFModelDefinition definition, ModelWeights weights) {
        return new TFModel(
                TFModelDescription.forInference(ModelSource.of(definition)),
                null,
                null,
                null,
                weights.copy());
    }

    /**
     * A model for inference: the graph of {@code definition} with the weights in {@code file}
     * (written by {@link ModelWeights#writeTo}), read now, on the client.
     */
    public static TFModel fromWeightsFile(TFModelDefinition definition, String file) {
        Path path = Path.of(file);
        if (!Files.isRegularFile(path)) {
            throw new InvalidParameterException(
                    "weightsFile",
                    file + " is not a file; give a file written by ModelWeights#writeTo");
        }
        try {
            return fromWeights(definition, ModelWeights.readFrom(path));
        } catch (IOException e) {
            throw new InvalidParameterException(
                    "weightsFile", "could not read weights from " + file + ": " + e.getMessage());
        }
    }

    /**
     * A model for inference whose weights change while it scores: the graph of {@code definition}
     * with each version of {@code versions} in turn (for example an online training's). Rows wait
     * for the first version.
     */
    public static TFModel fromVersions(
            TFModelDefinition definition, DataStream<ModelVersion> versions) {
        return new TFModel(
                TFModelDescription.forInference(ModelSource.of(definition)),
                null,
                null,
                versions,
                null);
    }

    public TFModelDescription getDescription() {
        return description;
    }

    /** A batch training's final weights: one record, when the training ends. */
    public DataStream<ModelWeights> getWeights() {
        if (weights == null) {
            throw new IllegalStateException(
                    "this model was not trained by TFEstimator#fit, so it has no final weights;"
                            + " an online training's model has getVersions()");
        }
        return weights;
    }

    /** A batch training's losses: one record per round, in round order. */
    public DataStream<RoundLoss> getLosses() {
        if (losses == null) {
            throw new IllegalStateException(
                    "this model was not trained by TFEstimator#fit, so it has no round losses");
        }
        return losses;
    }

    /**
     * The model's versions as a stream: every version of an online training or of {@link
     * #fromVersions}, or a batch training's final weights as version 0.
     */
    public DataStream<ModelVersion> getVersions() {
        if (versions == null && weights != null) {
            // Made only when asked for: an operator added to the job runs even without a sink.
            versions =
                    weights.map(new AsModelVersion(0))
                            .returns(TypeInformation.of(ModelVersion.class))
                            .setParallelism(1)
                            .name("tf: trained model");
        }
        if (versions == null) {
            throw new IllegalStateException(
                    "this model has fixed weights and no stream of versions; it scores as version"
                            + " 0");
        }
        return versions;
    }

    /** The numeric feature columns, in the model's order (default: those of the training). */
    public TFModel setInputCols(String... columns) {
        params.set(INPUT_COLS, columns == null ? null : columns.clone());
        return this;
    }

    /**
     * Per input column, the number of feature values it holds (1 for a number, n for a vector
     * column of n values); default: the training's, or 1 for each column.
     */
    public TFModel setInputSizes(int... sizes) {
        params.set(INPUT_SIZES, sizes == null ? null : sizes.clone());
        return this;
    }

    /** The columns {@link #transform} adds, one per predicted value (default: the training's). */
    public TFModel setOutputCols(String... columns) {
        params.set(OUTPUT_COLS, columns == null ? null : columns.clone());
        return this;
    }

    /** The types of the output columns: {@code Types.FLOAT} or {@code Types.DOUBLE}. */
    public TFModel setOutputTypes(TypeInformation<?>... types) {
        params.set(OUTPUT_TYPES, types == null ? null : types.clone());
        return this;
    }

    /** The most rows scored in one TensorFlow call (default 32). */
    public TFModel setBatchSize(int rows) {
        params.set(BATCH_SIZE, rows);
        return this;
    }

    /**
     * The longest a row waits in a partly filled batch (default 10 ms; zero scores each row on
     * arrival). Measured in processing time, in milliseconds.
     */
    public TFModel setMaxDelay(Duration delay) {
        params.set(MAX_DELAY, delay);
        return this;
    }

    /** The name of the added column with the scoring model's version (default model_version). */
    public TFModel setVersionCol(String column) {
        params.set(VERSION_COL, column);
        return this;
    }

    /** The number of scoring subtasks (default: the environment's parallelism). */
    public TFModel setParallelism(int parallelism) {
        params.set(PARALLELISM, parallelism);
        return this;
    }

    /**
     * Scores {@code rows}, which must have named columns (a {@code RowTypeInfo}): each output row
     * is the input row followed by the output columns and the version column.
     */
    public DataStream<Row> transform(DataStream<Row> rows) {
        InputColumns columns = InputColumns.of(rows.getType(), "transform");
        Plan plan = plan(columns);
        RowTypeInfo in = (RowTypeInfo) rows.getType();
        List<String> names = new ArrayList<>(List.of(in.getFieldNames()));
        List<TypeInformation<?>> types = new ArrayList<>(List.of(in.getFieldTypes()));
        for (int o = 0; o < plan.outputCols.length; o++) {
            names.add(plan.outputCols[o]);
            types.add(plan.outputTypes[o]);
        }
        names.add(plan.versionCol);
        types.add(Types.LONG);
        TypeInformation<Row> outType =
                Types.ROW_NAMED(
                        names.toArray(new String[0]), types.toArray(new TypeInformation<?>[0]));
        return score(rows, outType, plan);
    }

    /**
     * Scores {@code table}'s rows: the result has its columns, the outputs and the version. The job
     * runs in the table environment's runtime mode, which its stream environment takes on.
     */
    public Table transform(StreamTableEnvironment tableEnv, Table table) {
        ResolvedSchema schema = table.getResolvedSchema();
        Plan plan = plan(InputColumns.of(schema));
        TypeInformation<Row> outType =
                TableRowTypes.extended(
                        schema, plan.outputCols, plan.settings.outputKinds, plan.versionCol);
        return tableEnv.fromDataStream(
                score(TableRuntimeMode.rows(tableEnv, table), outType, plan));
    }

    private DataStream<Row> score(DataStream<Row> rows, TypeInformation<Row> outType, Plan plan) {
        StreamExecutionEnvironment env = rows.getExecutionEnvironment();
        DataStream<ModelVersion> modelVersions =
                plan.fixedWeights == null
                        ? getVersions()
                        : env.fromData(
                                        List.of(new ModelVersion(0, plan.fixedWeights)),
                                        TypeInformation.of(ModelVersion.class))
                                .name("tf: model weights");
        if (modelVersions.getExecutionEnvironment() != env) {
            throw new IllegalArgumentException(
                    "the model's weights come from another job's environment; transform rows of"
                            + " the environment the model was trained in, or load the model with"
                            + " TFModel.fromWeights / fromSavedModel");
        }
        int parallelism =
                params.get(PARALLELISM) != null ? params.get(PARALLELISM) : env.getParallelism();
        return rows.connect(modelVersions.broadcast())
                .transform("tf: score", outType, new ScoringOperator(plan.settings, rows.getType()))
                .setParallelism(parallelism);
    }

    /**
     * Checks the configuration against the input and the model, on the client: builds (or loads)
     * the model once, so a broken model, a feature count it does not take, output columns it does
     * not have or fixed weights that do not fit fail here.
     */
    private Plan plan(InputColumns columns) {
        ModelSource source = description.model();
        String modelParameter = source.definition() != null ? "model" : "savedModel";
        FeatureColumns matrix = source.definition() != null ? featureMatrix(columns) : null;
        ModelSession session;
        try {
            session = ModelSession.openForInference(source, matrix != null ? matrix.width() : -1);
        } catch (RuntimeException e) {
            throw new InvalidParameterException(
                    modelParameter,
                    "could not build the model "
                            + source
                            + (matrix != null ? " for " + matrix.width() + " features" : "")
                            + ": "
                            + e.getMessage());
        }
        try (session) {
            Signature named = session.namedSignature();
            InferenceSettings settings;
            String[] outputCols;
            TypeInformation<?>[] outputTypes;
            long maxDelay = params.get(MAX_DELAY).toMillis();
            if (named != null) {
                SignatureColumns signatureColumns =
                        new SignatureColumns(params, description.model(), named);
                FeatureColumns inputs = signatureColumns.inputs(columns);
                outputCols = signatureColumns.outputCols();
                outputTypes = signatureColumns.outputTypes(outputCols);
                TrainingInputs.checkOutputs(columns, outputCols, outputTypes);
                Map<String, Signature.TensorDescription> in = named.getInputs();
                String[] inputNames = inputs.names();
                boolean[] strings = new boolean[inputNames.length];
                int[] ranks = new int[inputNames.length];
                for (int i = 0; i < inputNames.length; i++) {
                    strings[i] = in.get(inputNames[i]).dataType == DataType.DT_STRING;
                    ranks[i] = in.get(inputNames[i]).shape.numDimensions();
                }
                settings =
                        InferenceSettings.forNamedSignature(
                                source,
                                inputs,
                                strings,
                                ranks,
                                outputCols,
                                kinds(outputTypes),
                                params.get(BATCH_SIZE),
                                maxDelay);
            } else {
                if (matrix == null) {
                    matrix = featureMatrix(columns);
                    if (matrix.width() != session.numFeatures()) {
                        throw new InvalidParameterException(
                                INPUT_COLS.name(),
                                "the SavedModel "
                                        + source
                                        + " takes "
                                        + session.numFeatures()
                                        + " features per row, but the input columns give "
                                        + matrix.width());
                    }
                }
                outputCols =
                        params.isSet(OUTPUT_COLS)
                                ? params.get(OUTPUT_COLS)
                                : description.outputCols();
                outputTypes =
                        params.isSet(OUTPUT_TYPES)
                                ? params.get(OUTPUT_TYPES)
                                : description.outputTypes();
                if (outputCols.length == 0) {
                    throw new InvalidParameterException(
                            OUTPUT_COLS.name(),
                            "the model has no output columns; call setOutputCols(...) and"
                                    + " setOutputTypes(...) on the TFModel (or the TFEstimator),"
                                    + " e.g. setOutputCols(\"prediction\").setOutputTypes(Types.DOUBLE)");
                }
                TrainingInputs.checkOutputs(columns, outputCols, outputTypes);
                checkMatrixOutputs(session, outputCols, outputTypes);
                settings =
                        InferenceSettings.forFeatureMatrix(
                                source,
                                matrix,
                                kinds(outputTypes),
                                params.get(BATCH_SIZE),
                                maxDelay);
            }
            String versionCol = params.get(VERSION_COL);
            if (columns.contains(versionCol) || List.of(outputCols).contains(versionCol)) {
                throw new InvalidParameterException(
                        VERSION_COL.name(),
                        "there is a column "
                                + versionCol
                                + " already; choose another name with setVersionCol(...)");
            }
            return new Plan(settings, outputCols, outputTypes, versionCol, checkWeights(session));
        }
    }

    /** The input columns as one feature matrix: numbers and vectors of the configured sizes. */
    private FeatureColumns featureMatrix(InputColumns columns) {
        String[] inputCols =
                params.isSet(INPUT_COLS) ? params.get(INPUT_COLS) : description.inputCols();
        if (inputCols.length == 0) {
            throw new InvalidParameterException(
                    INPUT_COLS.name(),
                    "is not set; call setInputCols(...) with the model's feature columns, in the"
                            + " order it reads them");
        }
        // The training's sizes go with the training's columns; columns set here take the sizes
        // set here, 1 each by default (then a vector column is an error asking for its size).
        boolean trainingColumns = !params.isSet(INPUT_COLS) && !params.isSet(INPUT_SIZES);
        int[] sizes =
                trainingColumns
                        ? description.inputSizes()
                        : TrainingInputs.inputSizes(params, inputCols);
        boolean sizesGiven = trainingColumns || params.isSet(INPUT_SIZES);
        int[] positions = new int[inputCols.length];
        for (int i = 0; i < inputCols.length; i++) {
            positions[i] =
                    columns.featureColumn(inputCols[i], sizes[i], sizesGiven, INPUT_COLS.name());
        }
        return new FeatureColumns(positions, inputCols, sizes);
    }

    /** A feature-matrix model predicts a row of values: the output columns take them in order. */
    private static void checkMatrixOutputs(
            ModelSession session, String[] outputCols, TypeInformation<?>[] outputTypes) {
        int numOutputs = outputCols.length;
        for (TypeInformation<?> type : outputTypes) {
            if (!OutputKind.of(type).isScalar() && numOutputs > 1) {
                throw new InvalidParameterException(
                        OUTPUT_TYPES.name(),
                        "a float[] output column takes the whole prediction, so it must be the"
                                + " only output column; set one column, or FLOAT/DOUBLE columns");
            }
        }
        int width = session.predictionWidth();
        if (width >= 0 && width < numOutputs) {
            throw new InvalidParameterException(
                    OUTPUT_COLS.name(),
                    "the model predicts "
                            + width
                            + " value(s) per row but "
                            + numOutputs
                            + " output columns are set; set at most "
                            + width);
        }
    }

    private static OutputKind[] kinds(TypeInformation<?>[] types) {
        OutputKind[] kinds = new OutputKind[types.length];
        for (int o = 0; o < types.length; o++) {
            kinds[o] = OutputKind.of(types[o]);
        }
        return kinds;
    }

    /**
     * Fixed weights must fit the model; returns them (for a SavedModel without other weights: none,
     * see below), or null when the weights come as a stream.
     */
    private ModelWeights checkWeights(ModelSession session) {
        if (fixedWeights != null) {
            try {
                session.matchByName(fixedWeights);
            } catch (IllegalArgumentException e) {
                throw new InvalidParameterException(
                        "weights",
                        "the weights do not fit the model "
                                + description.model()
                                + ": "
                                + e.getMessage());
            }
            return fixedWeights;
        }
        if (versions != null || weights != null) {
            return null;
        }
        // A SavedModel's own weights: every scoring subtask loads them with the model, so the
        // version shipped in the job graph carries none (a large model stays out of it).
        return new ModelWeights(new String[0], new long[0][], new float[0][]);
    }

    /** The validated inference configuration of one {@code transform}. */
    private static final class Plan {
        final InferenceSettings settings;
        final String[] outputCols;
        final TypeInformation<?>[] outputTypes;
        final String versionCol;
        final ModelWeights fixedWeights;

        Plan(
                InferenceSettings settings,
                String[] outputCols,
                TypeInformation<?>[] outputTypes,
                String versionCol,
                ModelWeights fixedWeights) {
            this.settings = settings;
            this.outputCols = outputCols;
            this.outputTypes = outputTypes;
            this.versionCol = versionCol;
            this.fixedWeights = fixedWeights;
        }
    }
}
