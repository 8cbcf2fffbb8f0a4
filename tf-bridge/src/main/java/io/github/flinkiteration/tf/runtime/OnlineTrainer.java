package io.github.flinkiteration.tf.runtime;

import io.github.flinkiteration.tf.model.ModelVersion;
import java.util.ArrayDeque;
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
 * One subtask of an online training. Input 1 brings its share of a live stream of rows, input 2
 * every model version (broadcast). For each version it takes the next {@code batchesPerVersion ×
 * batchSize} rows of its share, trains on them in mini-batches starting from that version's
 * weights, and sends the result to the averager; then it waits for the next version. Rows that
 * arrive meanwhile wait in arrival order; a last, incomplete step is never trained on.
 *
 * <p>Counts the rows it trains on in the metric {@code rowsTrained} (see {@link
 * TrainingMetricGroup}).
 *
 * <p>The session is opened in {@code open} and closed in {@code close}; the waiting rows and the
 * version not yet trained on are operator state.
 */
public final class OnlineTrainer
        extends CoProcessFunction<TrainingExample, ModelVersion, StepUpdate>
        implements CheckpointedFunction {

    private final TrainingSettings settings;
    private final int batchesPerVersion;
    private final String iterationName;

    private transient ModelSession session;
    private transient MiniBatch batch;
    private transient ArrayDeque<TrainingExample> waiting;
    private transient Counter rowsCounter;

    /** The latest version, until this subtask has trained on it. */
    private transient ModelVersion next;

    private transient ListState<TrainingExample> waitingState;
    private transient ListState<ModelVersion> nextState;

    public OnlineTrainer(TrainingSettings settings, int batchesPerVersion, String iterationName) {
        this.settings = settings;
        this.batchesPerVersion = batchesPerVersion;
        this.iterationName = iterationName;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        waiting = new ArrayDeque<>();
        waitingState =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "tf-online-rows",
                                        TypeInformation.of(TrainingExample.class)));
        nextState =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "tf-online-version",
                                        TypeInformation.of(ModelVersion.class)));
        for (TrainingExample example : waitingState.get()) {
            waiting.add(example);
        }
        for (ModelVersion version : nextState.get()) {
            next = version;
        }
    }

    @Override
    public void open(OpenContext openContext) {
        session = settings.openSession();
        rowsCounter =
                TrainingMetricGroup.of(getRuntimeContext(), iterationName).counter("rowsTrained");
        batch = new MiniBatch(settings.batchSize, settings.numFeatures);
    }

    @Override
    public void processElement1(
            TrainingExample example,
            CoProcessFunction<TrainingExample, ModelVersion, StepUpdate>.Context ctx,
            Collector<StepUpdate> out) {
        settings.checkFeatures(example);
        waiting.add(example);
        stepIfReady(out);
    }

    @Override
    public void processElement2(
            ModelVersion version,
            CoProcessFunction<TrainingExample, ModelVersion, StepUpdate>.Context ctx,
            Collector<StepUpdate> out) {
        next = version;
        stepIfReady(out);
    }

    private void stepIfReady(Collector<StepUpdate> out) {
        long rowsPerStep = (long) settings.batchSize * batchesPerVersion;
        if (next == null || waiting.size() < rowsPerStep) {
            return;
        }
        session.writeWeights(next.weights);
        double lossSum = 0;
        for (int b = 0; b < batchesPerVersion; b++) {
            while (!batch.isFull()) {
                TrainingExample example = waiting.pollFirst();
                batch.add(example.features, example.label);
            }
            float loss = session.trainBatch(batch.features(), batch.labels(), batch.rows());
            lossSum += (double) loss * batch.rows();
            rowsCounter.inc(batch.rows());
            batch.clear();
        }
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        out.collect(
                new StepUpdate(next.version, subtask, session.readWeights(), rowsPerStep, lossSum));
        next = null; // used up: the next step waits for the averaged version
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        waitingState.update(new ArrayList<>(waiting));
        nextState.update(next == null ? List.of() : List.of(next));
    }

    @Override
    public void close() {
        if (session != null) {
            session.close();
            session = null;
        }
    }
}
