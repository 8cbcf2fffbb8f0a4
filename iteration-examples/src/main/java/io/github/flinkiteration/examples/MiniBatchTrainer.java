package io.github.flinkiteration.examples;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.CoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * One trainer subtask of the online logistic regression. Input 1 brings this subtask's share of the
 * examples (those with {@code index % parallelism == subtask}); input 2 brings every model version.
 * Mini-batch {@code k} holds the examples with index in {@code [k·B, (k + 1)·B)}; as soon as this
 * subtask has its whole share of batch {@code k} and model version {@code k}, it sends the gradient
 * of that share. Examples may arrive in any order; a final incomplete batch is never trained on.
 * The waiting examples and model are checkpointed, so a restored job trains on exactly what it
 * would have.
 */
final class MiniBatchTrainer extends CoProcessFunction<LabeledPoint, ModelVersion, Gradient>
        implements CheckpointedFunction {

    private final int batchSize;

    private transient Map<Long, List<LabeledPoint>> batches;
    private transient ModelVersion model;
    private transient ListState<LabeledPoint> storedExamples;
    private transient ListState<ModelVersion> storedModel;

    MiniBatchTrainer(int batchSize) {
        this.batchSize = batchSize;
    }

    @Override
    public void processElement1(LabeledPoint point, Context ctx, Collector<Gradient> out) {
        if (batches == null) {
            batches = new HashMap<>();
        }
        batches.computeIfAbsent(point.index / batchSize, k -> new ArrayList<>()).add(point);
        trainIfReady(out);
    }

    @Override
    public void processElement2(ModelVersion version, Context ctx, Collector<Gradient> out) {
        model = version;
        trainIfReady(out);
    }

    private void trainIfReady(Collector<Gradient> out) {
        if (model == null) {
            return;
        }
        long batch = model.version;
        List<LabeledPoint> share = batches == null ? null : batches.get(batch);
        int size = share == null ? 0 : share.size();
        if (size < shareSize(batch)) {
            return;
        }
        double[] sum = new double[model.weights.length];
        if (share != null) {
            int bias = sum.length - 1;
            for (LabeledPoint point : share) {
                double error = model.probability(point.features) - point.label;
                for (int j = 0; j < bias; j++) {
                    sum[j] += error * point.features[j];
                }
                sum[bias] += error;
            }
            batches.remove(batch);
        }
        out.collect(new Gradient(batch, subtask(), sum, size));
        // Version k is used up: the next batch waits for version k + 1.
        model = null;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        List<LabeledPoint> waiting = new ArrayList<>();
        if (batches != null) {
            batches.values().forEach(waiting::addAll);
        }
        storedExamples.update(waiting);
        storedModel.update(model == null ? List.of() : List.of(model));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        storedExamples =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("examples", LabeledPoint.class));
        storedModel =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("model", ModelVersion.class));
        batches = new HashMap<>();
        for (LabeledPoint point : storedExamples.get()) {
            batches.computeIfAbsent(point.index / batchSize, k -> new ArrayList<>()).add(point);
        }
        for (ModelVersion version : storedModel.get()) {
            model = version;
        }
    }

    /** How many examples of batch {@code batch} are routed to this subtask. */
    private long shareSize(long batch) {
        long start = batch * batchSize;
        return countRoutedBelow(start + batchSize) - countRoutedBelow(start);
    }

    private long countRoutedBelow(long end) {
        int subtask = subtask();
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        return end > subtask ? (end - subtask - 1) / parallelism + 1 : 0;
    }

    private int subtask() {
        return getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    }
}
