package io.github.flinkiteration.tf.runtime;

import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.tf.model.ModelWeights;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.CoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * One subtask of the data-parallel training. In every round it receives the round's weights
 * (broadcast) and its partition of the rows (replayed by the iteration), trains on the rows in
 * mini-batches as they come, and at the end of the round sends its weights and losses to the
 * averager. Rows that come before the weights wait for them.
 *
 * <p>Counts the rows it trains on in the metric {@code rowsTrained} (see {@link
 * TrainingMetricGroup}).
 *
 * <p>The TF session is created in {@code open} and closed in {@code close}. Everything the subtask
 * holds in the middle of a round (the session's variables, waiting rows, the partial batch, the
 * round's sums) goes into operator state, so a checkpoint taken mid-round resumes there.
 */
public final class DataParallelTrainer
        extends CoProcessFunction<TrainingExample, ModelWeights, TrainingUpdate>
        implements IterationListener<TrainingUpdate>, CheckpointedFunction {

    private final TrainingSettings settings;
    private final String iterationName;

    private transient ModelSession session;
    private transient MiniBatch batch;
    private transient List<TrainingExample> waiting;
    private transient boolean haveWeights;
    private transient long rowsTrained;
    private transient double lossSum;
    private transient ListState<TrainerState> checkpointed;
    private transient TrainerState restored;
    private transient Counter rowsCounter;

    public DataParallelTrainer(TrainingSettings settings, String iterationName) {
        this.settings = settings;
        this.iterationName = iterationName;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        checkpointed =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "tf-trainer", TypeInformation.of(TrainerState.class)));
        if (context.isRestored()) {
            for (TrainerState state : checkpointed.get()) {
                restored = state;
            }
        }
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        session = settings.openSession();
        rowsCounter =
                TrainingMetricGroup.of(getRuntimeContext(), iterationName).counter("rowsTrained");
        batch = new MiniBatch(settings.batchSize, settings.numFeatures);
        waiting = new ArrayList<>();
        if (restored != null) {
            restore(restored);
            restored = null;
        }
    }

    private void restore(TrainerState state) {
        if (state.weights != null) {
            session.writeWeights(state.weights);
            haveWeights = true;
        }
        if (state.waiting != null) {
            waiting.addAll(List.of(state.waiting));
        }
        if (state.batch != null) {
            for (TrainingExample example : state.batch) {
                batch.add(example.features, example.label);
            }
        }
        rowsTrained = state.rowsTrained;
        lossSum = state.lossSum;
    }

    @Override
    public void processElement1(
            TrainingExample example,
            CoProcessFunction<TrainingExample, ModelWeights, TrainingUpdate>.Context ctx,
            Collector<TrainingUpdate> out) {
        if (haveWeights) {
            addRow(example);
        } else {
            waiting.add(example);
        }
    }

    @Override
    public void processElement2(
            ModelWeights weights,
            CoProcessFunction<TrainingExample, ModelWeights, TrainingUpdate>.Context ctx,
            Collector<TrainingUpdate> out) {
        session.writeWeights(weights);
        haveWeights = true;
        for (TrainingExample example : waiting) {
            addRow(example);
        }
        waiting.clear();
    }

    private void addRow(TrainingExample example) {
        settings.checkFeatures(example);
        if (batch.add(example.features, example.label)) {
            train(batch.rows());
        }
    }

    private void train(int rows) {
        float loss = session.trainBatch(batch.features(), batch.labels(), rows);
        rowsTrained += rows;
        rowsCounter.inc(rows);
        lossSum += (double) loss * rows;
        batch.clear();
    }

    @Override
    public void onRoundEnd(
            int round, IterationListener.Context context, Collector<TrainingUpdate> out) {
        if (!haveWeights) {
            // Only possible if the iteration fed no weights back, and then it is ending.
            return;
        }
        int remainder = batch.prepareRemainder(settings.remainderPolicy);
        if (remainder > 0) {
            train(remainder);
        }
        batch.clear();
        out.collect(new TrainingUpdate(session.readWeights(), rowsTrained, lossSum));
        haveWeights = false;
        rowsTrained = 0;
        lossSum = 0;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        TrainerState state = new TrainerState();
        state.weights = haveWeights ? session.readWeights() : null;
        state.waiting = waiting.toArray(new TrainingExample[0]);
        state.batch = batch.toExamples();
        state.rowsTrained = rowsTrained;
        state.lossSum = lossSum;
        checkpointed.update(List.of(state));
    }

    @Override
    public void close() throws Exception {
        if (session != null) {
            session.close();
            session = null;
        }
    }
}
