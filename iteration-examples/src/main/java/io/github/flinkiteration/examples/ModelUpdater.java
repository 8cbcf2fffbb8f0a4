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
 * Turns model version {@code k} and the gradients of mini-batch {@code k} from every trainer
 * subtask into version {@code k + 1}: one gradient-descent step on the batch's mean log-loss. Input
 * 1 brings gradients, input 2 the model versions; runs at parallelism 1. Waiting gradients and the
 * model are checkpointed.
 */
final class ModelUpdater extends CoProcessFunction<Gradient, ModelVersion, ModelVersion>
        implements CheckpointedFunction {

    private final int trainers;
    private final double learningRate;

    /**
     * Gradients by version, then by trainer subtask: summed in subtask order, deterministically.
     */
    private transient Map<Long, Gradient[]> gradients;

    private transient ModelVersion model;
    private transient ListState<Gradient> storedGradients;
    private transient ListState<ModelVersion> storedModel;

    ModelUpdater(int trainers, double learningRate) {
        this.trainers = trainers;
        this.learningRate = learningRate;
    }

    @Override
    public void processElement1(Gradient gradient, Context ctx, Collector<ModelVersion> out) {
        if (gradients == null) {
            gradients = new HashMap<>();
        }
        gradients.computeIfAbsent(gradient.version, v -> new Gradient[trainers])[gradient.subtask] =
                gradient;
        updateIfReady(out);
    }

    @Override
    public void processElement2(ModelVersion version, Context ctx, Collector<ModelVersion> out) {
        model = version;
        updateIfReady(out);
    }

    private void updateIfReady(Collector<ModelVersion> out) {
        if (model == null || gradients == null) {
            return;
        }
        Gradient[] parts = gradients.get(model.version);
        if (parts == null) {
            return;
        }
        double[] sum = new double[model.weights.length];
        long count = 0;
        for (Gradient part : parts) {
            if (part == null) {
                return;
            }
            for (int j = 0; j < sum.length; j++) {
                sum[j] += part.sum[j];
            }
            count += part.count;
        }
        gradients.remove(model.version);
        double[] next = model.weights.clone();
        if (count > 0) {
            for (int j = 0; j < next.length; j++) {
                next[j] -= learningRate * sum[j] / count;
            }
        }
        out.collect(new ModelVersion(model.version + 1, next));
        model = null;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        List<Gradient> waiting = new ArrayList<>();
        if (gradients != null) {
            for (Gradient[] parts : gradients.values()) {
                for (Gradient part : parts) {
                    if (part != null) {
                        waiting.add(part);
                    }
                }
            }
        }
        storedGradients.update(waiting);
        storedModel.update(model == null ? List.of() : List.of(model));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        storedGradients =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("gradients", Gradient.class));
        storedModel =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("model", ModelVersion.class));
        gradients = new HashMap<>();
        for (Gradient part : storedGradients.get()) {
            gradients.computeIfAbsent(part.version, v -> new Gradient[trainers])[part.subtask] =
                    part;
        }
        for (ModelVersion version : storedModel.get()) {
            model = version;
        }
    }
}
