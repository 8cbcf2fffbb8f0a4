package io.github.flinkiteration.tf.estimator;

import static io.github.flinkiteration.tf.params.TFEstimatorParams.CONVERGENCE_CRITERION;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.EXPORT_EVERY_ROUNDS;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.EXPORT_PATH;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.MAX_ROUNDS;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.REMAINDER_POLICY;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.TOLERANCE;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.ConvergenceCriterion;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.TerminationCondition;
import io.github.flinkiteration.tf.model.ModelWeights;
import io.github.flinkiteration.tf.model.RoundLoss;
import io.github.flinkiteration.tf.params.InvalidParameterException;
import io.github.flinkiteration.tf.params.RemainderPolicy;
import io.github.flinkiteration.tf.runtime.DataParallelTrainer;
import io.github.flinkiteration.tf.runtime.TrainingExample;
import io.github.flinkiteration.tf.runtime.TrainingSettings;
import io.github.flinkiteration.tf.runtime.TrainingUpdate;
import io.github.flinkiteration.tf.runtime.WeightAverager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;

/**
 * Trains a TensorFlow model on rows of a Flink job: data-parallel, synchronous, one pass over the
 * data per round of a {@link BoundedIteration}. In every round each trainer subtask trains on its
 * share of the rows in mini-batches, starting from the round's weights; the weights of all subtasks
 * are then averaged (weighted by the rows each trained on) and fed back as the next round's. The
 * training stops after {@code maxRounds} rounds, or earlier when the loss converges.
 *
 * <pre>{@code
 * TFModel model = new TFEstimator()
 *         .setInputCols("x0", "x1", "x2")
 *         .setLabelCol("label")
 *         .setModelDefinition(new LogisticRegressionDefinition())
 *         .setBatchSize(64)
 *         .setLearningRate(0.5)
 *         .setMaxRounds(30)
 *         .setTolerance(1e-4)
 *         .fit(rows);                           // DataStream<Row> with named columns, or a Table
 * model.getLosses().print();
 * model.getWeights().print();
 * env.execute();
 * }</pre>
 *
 * <p>Parameters are checked when they are set and, together, when {@link #fit} is called; a problem
 * throws an {@link InvalidParameterException} naming the parameter. {@code fit} also builds the
 * model once on the client (loading TensorFlow there), to check it and to take its starting
 * weights.
 */
public final class TFEstimator extends EstimatorSetters<TFEstimator> {

    /** The most rounds to train (default 10). */
    public TFEstimator setMaxRounds(int rounds) {
        params.set(MAX_ROUNDS, rounds);
        return this;
    }

    /**
     * Also stop after the first round whose loss differs from the previous round's by less than
     * {@code tolerance} ({@link ConvergenceCriterion#deltaBelow}).
     */
    public TFEstimator setTolerance(double tolerance) {
        params.set(TOLERANCE, tolerance);
        return this;
    }

    /**
     * Also stop after the first round in which {@code criterion} holds; it sees the loss of the
     * round (one record) and of the round before. Excludes {@link #setTolerance}.
     */
    public TFEstimator setConvergenceCriterion(ConvergenceCriterion<Double> criterion) {
        params.set(CONVERGENCE_CRITERION, criterion);
        return this;
    }

    /** What to do with the rows of a last, partly filled mini-batch (default PARTIAL). */
    public TFEstimator setRemainderPolicy(RemainderPolicy policy) {
        params.set(REMAINDER_POLICY, policy);
        return this;
    }

    /**
     * Export the trained model as a SavedModel to {@code <path>/final}, and to {@code
     * <path>/round-<n>} every {@link #setExportEveryRounds} rounds. The path must be writable from
     * the TaskManager that runs the averaging subtask.
     */
    public TFEstimator setExportPath(String path) {
        params.set(EXPORT_PATH, path);
        return this;
    }

    /** With an export path: also export after every {@code rounds} rounds (default 0: no). */
    public TFEstimator setExportEveryRounds(int rounds) {
        params.set(EXPORT_EVERY_ROUNDS, rounds);
        return this;
    }

    /**
     * Adds the training of {@code rows} to their job. The rows must have named columns (a {@code
     * RowTypeInfo}).
     */
    public TFModel fit(DataStream<Row> rows) {
        return fit(rows, InputColumns.of(rows.getType(), "fit"));
    }

    /**
     * Adds the training of {@code table}'s rows to {@code tableEnv}'s job. The job runs in the
     * table environment's runtime mode, BATCH ({@code EnvironmentSettings.inBatchMode()}) or
     * STREAMING, which its stream environment takes on.
     */
    public TFModel fit(StreamTableEnvironment tableEnv, Table table) {
        InputColumns columns = InputColumns.of(table.getResolvedSchema());
        return fit(TableRuntimeMode.rows(tableEnv, table), columns);
    }

    private TFModel fit(DataStream<Row> rows, InputColumns columns) {
        TrainingInputs training = new TrainingInputs(params, columns);
        TerminationSettings termination = terminationSettings();
        String exportPath = exportPath();
        ModelWeights start = training.startingWeights();
        TrainingSettings settings =
                training.settings(
                        params.get(REMAINDER_POLICY), exportPath, params.get(EXPORT_EVERY_ROUNDS));
        int parallelism = training.parallelism(rows);

        TypeInformation<ModelWeights> weightsType = TypeInformation.of(ModelWeights.class);
        DataStream<TrainingExample> examples = training.partitionedExamples(rows, parallelism);
        DataStream<ModelWeights> initial =
                rows.getExecutionEnvironment()
                        .fromData(List.of(start), weightsType)
                        .name("tf: starting weights");

        BoundedIteration iteration = new BoundedIteration().defaultName("tf-estimator");
        givenIterationName().ifPresent(iteration::name);
        ResultStreams results =
                iteration
                        .bindVariable("weights", initial)
                        .bindConstant("examples", examples)
                        .withBody(
                                (inputs, context) -> {
                                    // Unique in the job, for metrics and log lines.
                                    String name = context.getName();
                                    DataStream<ModelWeights> weights = inputs.get("weights");
                                    DataStream<TrainingExample> partition = inputs.get("examples");
                                    DataStream<TrainingUpdate> updates =
                                            partition
                                                    .connect(weights.broadcast())
                                                    .process(
                                                            new DataParallelTrainer(settings, name))
                                                    .returns(
                                                            TypeInformation.of(
                                                                    TrainingUpdate.class))
                                                    .setParallelism(parallelism)
                                                    .name("tf: train");
                                    SingleOutputStreamOperator<ModelWeights> averaged =
                                            updates.process(new WeightAverager(settings, name))
                                                    .returns(weightsType)
                                                    .setParallelism(1)
                                                    .name("tf: average weights");
                                    return IterationDeclaration.builder()
                                            .withFeedback("weights", averaged)
                                            .withOutput(
                                                    "weights",
                                                    averaged.getSideOutput(
                                                            WeightAverager.FINAL_WEIGHTS))
                                            .withOutput(
                                                    "losses",
                                                    averaged.getSideOutput(
                                                            WeightAverager.ROUND_LOSS))
                                            .until(
                                                    termination.condition(
                                                            averaged.getSideOutput(
                                                                    WeightAverager.LOSS_VALUE)))
                                            .build();
                                })
                        .apply();
        DataStream<ModelWeights> finalWeights = results.get("weights");
        DataStream<RoundLoss> losses = results.get("losses");
        return TFModel.trained(training.description(), finalWeights, losses);
    }

    private TerminationSettings terminationSettings() {
        Double tolerance = params.get(TOLERANCE);
        ConvergenceCriterion<Double> criterion = params.get(CONVERGENCE_CRITERION);
        if (tolerance != null && criterion != null) {
            throw new InvalidParameterException(
                    TOLERANCE.name(),
                    "both setTolerance and setConvergenceCriterion were called; call one of them");
        }
        if (tolerance != null) {
            criterion = ConvergenceCriterion.deltaBelow(tolerance);
        }
        return new TerminationSettings(params.get(MAX_ROUNDS), criterion);
    }

    private String exportPath() {
        String path = params.get(EXPORT_PATH);
        if (path == null) {
            if (params.get(EXPORT_EVERY_ROUNDS) > 0) {
                throw new InvalidParameterException(
                        EXPORT_EVERY_ROUNDS.name(),
                        "is set but there is no export path; call setExportPath(...) too");
            }
            return null;
        }
        if (Files.exists(Path.of(path)) && !Files.isDirectory(Path.of(path))) {
            throw new InvalidParameterException(
                    EXPORT_PATH.name(), path + " is a file; give a directory to export into");
        }
        return path;
    }

    /** The round limit and an optional criterion on the per-round losses. */
    private static final class TerminationSettings {
        final int maxRounds;
        final ConvergenceCriterion<Double> criterion;

        TerminationSettings(int maxRounds, ConvergenceCriterion<Double> criterion) {
            this.maxRounds = maxRounds;
            this.criterion = criterion;
        }

        TerminationCondition condition(DataStream<Double> losses) {
            TerminationCondition condition = TerminationCondition.maxRounds(maxRounds);
            return criterion == null
                    ? condition
                    : condition.or(TerminationCondition.whenConverged(losses, criterion));
        }
    }
}
