package io.github.flinkiteration.tf.estimator;

import static io.github.flinkiteration.tf.params.TFOnlineEstimatorParams.BATCHES_PER_VERSION;

import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.UnboundedIteration;
import io.github.flinkiteration.tf.model.ModelVersion;
import io.github.flinkiteration.tf.model.ModelWeights;
import io.github.flinkiteration.tf.params.RemainderPolicy;
import io.github.flinkiteration.tf.runtime.OnlineAverager;
import io.github.flinkiteration.tf.runtime.OnlineTrainer;
import io.github.flinkiteration.tf.runtime.StepUpdate;
import io.github.flinkiteration.tf.runtime.TrainingExample;
import io.github.flinkiteration.tf.runtime.TrainingSettings;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
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
public final class TFOnlineEstimator extends EstimatorSetters<TFOnlineEstimator> {

    /** Mini-batches each trainer trains on between two versions (default 1). */
    public TFOnlineEstimator setBatchesPerVersion(int batches) {
        params.set(BATCHES_PER_VERSION, batches);
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
        TrainingInputs training = new TrainingInputs(params, columns);
        ModelWeights start = training.startingWeights();
        TrainingSettings settings = training.settings(RemainderPolicy.DROP, null, 0);
        int batchesPerVersion = params.get(BATCHES_PER_VERSION);
        int parallelism = training.parallelism(rows);

        TypeInformation<ModelVersion> versionType = TypeInformation.of(ModelVersion.class);
        DataStream<TrainingExample> examples = training.partitionedExamples(rows, parallelism);
        DataStream<ModelVersion> initial =
                rows.getExecutionEnvironment()
                        .fromData(List.of(new ModelVersion(0, start)), versionType)
                        .name("tf: starting model");

        UnboundedIteration iteration = new UnboundedIteration().defaultName("tf-online-estimator");
        givenIterationName().ifPresent(iteration::name);
        DataStream<ModelVersion> versions =
                iteration
                        .bindVariable("model", initial)
                        .bindData("examples", examples)
                        .withBody(
                                (inputs, context) -> {
                                    // Unique in the job, for metrics and log lines.
                                    String name = context.getName();
                                    DataStream<ModelVersion> current = inputs.get("model");
                                    DataStream<TrainingExample> share = inputs.get("examples");
                                    DataStream<StepUpdate> steps =
                                            share.connect(current.broadcast())
                                                    .process(
                                                            new OnlineTrainer(
                                                                    settings,
                                                                    batchesPerVersion,
                                                                    name))
                                                    .returns(TypeInformation.of(StepUpdate.class))
                                                    .setParallelism(parallelism)
                                                    .name("tf: online train");
                                    SingleOutputStreamOperator<ModelVersion> next =
                                            steps.process(new OnlineAverager(parallelism, name))
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
        return TFModel.online(training.description(), versions);
    }
}
