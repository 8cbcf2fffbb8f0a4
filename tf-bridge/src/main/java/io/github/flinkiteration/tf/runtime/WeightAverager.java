package io.github.flinkiteration.tf.runtime;

import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.tf.model.ModelWeights;
import io.github.flinkiteration.tf.model.RoundLoss;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs at parallelism 1: averages the trainers' weights of a round, each weighted by the rows it
 * trained on, and emits the average as the next round's weights (the feedback). Also emits the
 * round's loss and, when the iteration ends, the final weights; exports SavedModels if asked to.
 *
 * <p>Reports the round's loss, rows per second and time as metrics ({@link RoundMetrics}) and in
 * one INFO line per round.
 *
 * <p>Sums are kept in {@code double}, so at parallelism 1 the average is exactly the trainer's
 * weights.
 */
public final class WeightAverager extends ProcessFunction<TrainingUpdate, ModelWeights>
        implements IterationListener<ModelWeights>, CheckpointedFunction {

    /** The per-round losses, for the output. */
    public static final OutputTag<RoundLoss> ROUND_LOSS =
            new OutputTag<>("tf-round-loss", TypeInformation.of(RoundLoss.class));

    /** The per-round loss as a number, for the convergence criterion. */
    public static final OutputTag<Double> LOSS_VALUE = new OutputTag<>("tf-loss", Types.DOUBLE);

    /** The final weights, once, when the iteration ends. */
    public static final OutputTag<ModelWeights> FINAL_WEIGHTS =
            new OutputTag<>("tf-final-weights", TypeInformation.of(ModelWeights.class));

    private static final Logger LOG = LoggerFactory.getLogger(WeightAverager.class);

    private final TrainingSettings settings;
    private final String iterationName;

    private transient double[][] sums;
    private transient ModelWeights firstOfRound;
    private transient long rows;
    private transient double lossSum;
    private transient ModelWeights latest;
    private transient ListState<AveragerState> checkpointed;
    private transient SavedModelWriter writer;
    private transient RoundMetrics metrics;

    public WeightAverager(TrainingSettings settings, String iterationName) {
        this.settings = settings;
        this.iterationName = iterationName;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        checkpointed =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "tf-averager", TypeInformation.of(AveragerState.class)));
        if (context.isRestored()) {
            for (AveragerState state : checkpointed.get()) {
                sums = state.sums;
                firstOfRound = state.firstOfRound;
                rows = state.rows;
                lossSum = state.lossSum;
                latest = state.latest;
            }
        }
    }

    @Override
    public void open(OpenContext openContext) {
        metrics = new RoundMetrics();
        metrics.start(TrainingMetricGroup.of(getRuntimeContext(), iterationName));
        if (settings.exportPath != null) {
            writer = new SavedModelWriter(settings);
        }
    }

    @Override
    public void processElement(
            TrainingUpdate update,
            ProcessFunction<TrainingUpdate, ModelWeights>.Context ctx,
            Collector<ModelWeights> out) {
        ModelWeights weights = update.weights;
        if (firstOfRound == null) {
            firstOfRound = weights;
            sums = new double[weights.size()][];
            for (int v = 0; v < sums.length; v++) {
                sums[v] = new double[weights.values[v].length];
            }
        } else if (!firstOfRound.hasLayoutOf(weights)) {
            throw new IllegalStateException("trainers sent weights of different layouts");
        }
        for (int v = 0; v < sums.length; v++) {
            float[] values = weights.values[v];
            double[] sum = sums[v];
            for (int i = 0; i < values.length; i++) {
                sum[i] += (double) values[i] * update.rows;
            }
        }
        rows += update.rows;
        lossSum += update.lossSum;
    }

    @Override
    public void onRoundEnd(
            int round, IterationListener.Context context, Collector<ModelWeights> out) {
        if (firstOfRound == null) {
            return; // no trainer reported: nothing to feed back, the iteration ends
        }
        ModelWeights average = rows == 0 ? firstOfRound.copy() : average();
        double loss = rows == 0 ? Double.NaN : lossSum / rows;
        context.output(ROUND_LOSS, new RoundLoss(round, loss, rows));
        context.output(LOSS_VALUE, loss);
        metrics.roundEnded(round, loss, rows);
        LOG.info("{} round {}: {}", iterationName, round, metrics);
        latest = average;
        sums = null;
        firstOfRound = null;
        rows = 0;
        lossSum = 0;
        out.collect(average);
        int roundsDone = round + 1;
        if (writer != null
                && settings.exportEveryRounds > 0
                && roundsDone % settings.exportEveryRounds == 0) {
            writer.write(average, SavedModelWriter.roundDirectory(roundsDone));
        }
    }

    private ModelWeights average() {
        float[][] values = new float[sums.length][];
        for (int v = 0; v < sums.length; v++) {
            values[v] = new float[sums[v].length];
            for (int i = 0; i < values[v].length; i++) {
                values[v][i] = (float) (sums[v][i] / rows);
            }
        }
        return new ModelWeights(firstOfRound.names, firstOfRound.shapes, values);
    }

    @Override
    public void onIterationTerminated(
            IterationListener.Context context, Collector<ModelWeights> out) {
        if (latest == null) {
            return;
        }
        context.output(FINAL_WEIGHTS, latest);
        if (writer != null) {
            writer.write(latest, SavedModelWriter.FINAL);
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        AveragerState state = new AveragerState();
        state.sums = sums;
        state.firstOfRound = firstOfRound;
        state.rows = rows;
        state.lossSum = lossSum;
        state.latest = latest;
        checkpointed.update(List.of(state));
    }

    @Override
    public void close() {
        if (writer != null) {
            writer.close();
        }
    }
}
