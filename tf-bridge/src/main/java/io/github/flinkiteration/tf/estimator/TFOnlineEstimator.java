package io.github.flinkiteration.tf.estimator;

import static io.github.flinkiteration.tf.params.TFEstimatorParams.BATCH_SIZE;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.INPUT_COLS;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.LABEL_COL;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.LEARNING_RATE;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.MODEL_DEFINITION;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.OPTIMIZER;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.OUTPUT_COLS;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.OUTPUT_TYPES;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.PARALLELISM;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.SAVED_MODEL;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.WARM_START_PATH;
import static io.github.flinkiteration.tf.params.TFOnlineEstimatorParams.BATCHES_PER_VERSION;

import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.UnboundedIteration;
import io.github.flinkiteration.tf.model.ModelSource;
import io.github.flinkiteration.tf.model.ModelVersion;
import io.github.flinkiteration.tf.model.ModelWeights;
import io.github.flinkiteration.tf.model.SavedModelDefinition;
import io.github.flinkiteration.tf.model.TFModelDefinition;
import io.github.flinkiteration.tf.params.InvalidParameterException;
import io.github.flinkiteration.tf.params.OptimizerType;
import io.github.flinkiteration.tf.params.ParamValues;
import io.github.flinkiteration.tf.params.RemainderPolicy;
import io.github.flinkiteration.tf.runtime.BySequence;
import io.github.flinkiteration.tf.runtime.ExampleSequence;
import io.github.flinkiteration.tf.runtime.OnlineAverager;
import io.github.flinkiteration.tf.runtime.OnlineTrainer;
import io.github.flinkiteration.tf.runtime.PassThrough;
import io.github.flinkiteration.tf.runtime.RowToExample;
import io.github.flinkiteration.tf.runtime.StepUpdate;
import io.github.flinkiteration.tf.runtime.TrainingExample;
import io.github.flinkiteration.tf.runtime.TrainingSettings;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;

/**
 * Trains a TensorFlow model online on a live stream of rows, as an {@link UnboundedIteration}, and
 * emits a new model version after every step. The model version is the iteration's variable. Each
 * trainer subtask (row {@code i} of an upstream subtask goes to trainer {@code i mod p}) takes the
 * next {@code batchesPerVersion × batchSize} rows of its share, trains on them from the current
 * version, and sends its weights to one averaging subtask, which averages them (weighted by rows)
 * into the next version: fed back to the trainers and emitted. So a step trains on {@code p ×
 * batchesPerVersion × batchSize} rows, and the versions are those of synchronous data-parallel
 * mini-batch training.
 *
 * <pre>{@code
 * TFModel online = new TFOnlineEstimator()
 *         .setInputCols("x0", "x1").setLabelCol("label")
 *         .setModelDefinition(new MultiLayerPerceptronDefinition(42, 16))
 *         .setBatchSize(32)
 *         .setOutputCols("probability").setOutputTypes(Types.DOUBLE)
 *         .fit(labelledEvents);                       // may be unbounded
 * online.getVersions().print();                       // ModelVersion 1, 2, ...
 * online.transform(eventsToScore).print();            // scored by the latest version
 * }</pre>
 *
 * <p>Rows that come while a trainer waits for the next version wait in its memory (and its
 * checkpoints), so the input should not run much faster than the training for long. Rows of a last,
 * incomplete step (when the input ends) are not trained on. With a bounded input the iteration, and
 * the stream of versions, end after the last full step.
 */
public final class TFOnlineEstimator {

    private final ParamValues params = new ParamValues();

    /** The numeric feature columns, in the order the model reads them. Required. */
    public TFOnlineEstimator setInputCols(String... columns) {
        params.set(INPUT_COLS, columns == null ? null : columns.clone());
        return this;
    }

    /** The numeric label column. Required. */
    public TFOnlineEstimator setLabelCol(String column) {
        params.set(LABEL_COL, column);
        return this;
    }

    /** The columns the model's {@code transform} adds (see {@link TFModel#setOutputCols}). */
    public TFOnlineEstimator setOutputCols(String... columns) {
        params.set(OUTPUT_COLS, columns == null ? null : columns.clone());
        return this;
    }

    /** The types of the output columns: {@code Types.FLOAT} or {@code Types.DOUBLE}. */
    public TFOnlineEstimator setOutputTypes(TypeInformation<?>... types) {
        params.set(OUTPUT_TYPES, types == null ? null : types.clone());
        return this;
    }

    /** The model, built in Java. Excludes {@link #setSavedModel}. */
    public TFOnlineEstimator setModelDefinition(TFModelDefinition definition) {
        params.set(MODEL_DEFINITION, definition);
        return this;
    }

    /** The model, loaded from a SavedModel. Excludes {@link #setModelDefinition}. */
    public TFOnlineEstimator setSavedModel(SavedModelDefinition savedModel) {
        params.set(SAVED_MODEL, savedModel);
        return this;
    }

    /** Rows per mini-batch of one trainer (default 32). */
    public TFOnlineEstimator setBatchSize(int rows) {
        params.set(BATCH_SIZE, rows);
        return this;
    }

    /** Mini-batches each trainer trains on between two versions (default 1). */
    public TFOnlineEstimator setBatchesPerVersion(int batches) {
        params.set(BATCHES_PER_VERSION, batches);
        return this;
    }

    /** The learning rate (default 0.1). */
    public TFOnlineEstimator setLearningRate(double rate) {
        params.set(LEARNING_RATE, rate);
        return this;
    }

    /** The optimizer of a model built in Java (default gradient descent). */
    public TFOnlineEstimator setOptimizer(OptimizerType optimizer) {
        params.set(OPTIMIZER, optimizer);
        return this;
    }

    /** Start from the weights in a SavedModel directory or a {@code ModelWeights} file. */
    public TFOnlineEstimator setWarmStartPath(String path) {
        params.set(WARM_START_PATH, path);
        return this;
    }

    /** The number of trainer subtasks (default: the environment's parallelism). */
    public TFOnlineEstimator setParallelism(int parallelism) {
        params.set(PARALLELISM, parallelism);
        return this;
    }

    /** Adds the online training on {@code rows} (with named columns) to their job. */
    public TFModel fit(DataStream<Row> rows) {
        return fit(rows, InputColumns.of(rows.getType(), "fit"));
    }

    /** Adds the online training on {@code table}'s rows to {@code tableEnv}'s job. */
    public TFModel fit(StreamTableEnvironment tableEnv, Table table) {
        InputColumns columns = InputColumns.of(table.getResolvedSchema());
        return fit(tableEnv.toDataStream(table), columns);
    }

    private TFModel fit(DataStream<Row> rows, InputColumns columns) {
        String[] inputCols = params.getRequired(INPUT_COLS, "setInputCols(...)");
        String labelCol = params.getRequired(LABEL_COL, "setLabelCol(...)");
        int[] featurePositions = new int[inputCols.length];
        for (int i = 0; i < inputCols.length; i++) {
            featurePositions[i] = columns.numericColumn(inputCols[i], INPUT_COLS.name());
        }
        int labelPosition = columns.numericColumn(labelCol, LABEL_COL.name());
        if (List.of(inputCols).contains(labelCol)) {
            throw new InvalidParameterException(
                    LABEL_COL.name(),
                    labelCol + " is also an input column; remove it from setInputCols");
        }
        String[] outputCols = params.get(OUTPUT_COLS);
        TypeInformation<?>[] outputTypes = params.get(OUTPUT_TYPES);
        TFEstimator.checkOutputs(columns, outputCols, outputTypes);

        ModelSource model = TFEstimator.modelSource(params);
        String modelParameter =
                model.definition() != null ? MODEL_DEFINITION.name() : SAVED_MODEL.name();
        OptimizerType optimizer = params.get(OPTIMIZER);
        float learningRate = params.get(LEARNING_RATE).floatValue();
        ModelWeights start =
                StartingWeights.resolve(
                        model,
                        modelParameter,
                        inputCols.length,
                        optimizer,
                        learningRate,
                        params.get(WARM_START_PATH));
        TrainingSettings settings =
                new TrainingSettings(
                        model,
                        inputCols.length,
                        optimizer,
                        learningRate,
                        params.get(BATCH_SIZE),
                        RemainderPolicy.DROP,
                        null,
                        0);
        int batchesPerVersion = params.get(BATCHES_PER_VERSION);
        StreamExecutionEnvironment env = rows.getExecutionEnvironment();
        int parallelism =
                params.get(PARALLELISM) != null ? params.get(PARALLELISM) : env.getParallelism();

        TypeInformation<TrainingExample> exampleType = TypeInformation.of(TrainingExample.class);
        TypeInformation<ModelVersion> versionType = TypeInformation.of(ModelVersion.class);
        DataStream<TrainingExample> examples =
                rows.map(new RowToExample(featurePositions, inputCols, labelPosition, labelCol))
                        .returns(exampleType)
                        .setParallelism(rows.getParallelism())
                        .name("tf: rows to examples")
                        .partitionCustom(new BySequence(), new ExampleSequence())
                        .map(new PassThrough())
                        .returns(exampleType)
                        .setParallelism(parallelism)
                        .name("tf: partition rows");
        DataStream<ModelVersion> initial =
                env.fromData(List.of(new ModelVersion(0, start)), versionType)
                        .name("tf: starting model");

        DataStream<ModelVersion> versions =
                new UnboundedIteration()
                        .bindVariable("model", initial)
                        .bindData("examples", examples)
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<ModelVersion> current = inputs.get("model");
                                    DataStream<TrainingExample> share = inputs.get("examples");
                                    DataStream<StepUpdate> steps =
                                            share.connect(current.broadcast())
                                                    .process(
                                                            new OnlineTrainer(
                                                                    settings, batchesPerVersion))
                                                    .returns(TypeInformation.of(StepUpdate.class))
                                                    .setParallelism(parallelism)
                                                    .name("tf: online train");
                                    SingleOutputStreamOperator<ModelVersion> next =
                                            steps.process(new OnlineAverager(parallelism))
                                                    .returns(versionType)
                                                    .setParallelism(1)
                                                    .name("tf: average step");
                                    return IterationDeclaration.builder()
                                            .withFeedback("model", next)
                                            .withOutput("versions", next)
                                            .build();
                                })
                        .apply()
                        .get("versions");
        TFModelDescription description =
                new TFModelDescription(
                        model,
                        inputCols,
                        labelCol,
                        outputCols,
                        outputTypes,
                        optimizer,
                        learningRate);
        return TFModel.online(description, versions);
    }
}
