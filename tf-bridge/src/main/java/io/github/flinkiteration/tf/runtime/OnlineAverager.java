package io.github.flinkiteration.tf.runtime;

import io.github.flinkiteration.tf.model.ModelVersion;
import io.github.flinkiteration.tf.model.ModelWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs at parallelism 1 in an online training: when every trainer subtask has sent its step on
 * version {@code v}, averages their weights (weighted by rows, summed in subtask order in {@code
 * double}) and emits version {@code v + 1}, which is fed back to the trainers and leaves the
 * iteration. Reports each version's loss, rows per second and time as metrics ({@link
 * RoundMetrics}; a version is a round) and in a DEBUG line: versions may come many times a second.
 * Updates that wait for the other trainers are operator state.
 */
public final class OnlineAverager extends ProcessFunction<StepUpdate, ModelVersion>
        implements CheckpointedFunction {

    private static final Logger LOG = LoggerFactory.getLogger(OnlineAverager.class);

    private final int trainers;
    private final String iterationName;

    /** Updates by version, then by trainer subtask. */
    private transient TreeMap<Long, StepUpdate[]> updates;

    private transient ListState<StepUpdate> updatesState;
    private transient RoundMetrics metrics;

    public OnlineAverager(int trainers, String iterationName) {
        this.trainers = trainers;
        this.iterationName = iterationName;
    }

    @Override
    public void open(OpenContext openContext) {
        metrics = new RoundMetrics();
        metrics.start(TrainingMetricGroup.of(getRuntimeContext(), iterationName));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        updates = new TreeMap<>();
        updatesState =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "tf-online-updates", TypeInformation.of(StepUpdate.class)));
        for (StepUpdate update : updatesState.get()) {
            add(update);
        }
    }

    private StepUpdate[] add(StepUpdate update) {
        StepUpdate[] parts = updates.computeIfAbsent(update.version, v -> new StepUpdate[trainers]);
        parts[update.subtask] = update;
        return parts;
    }

    @Override
    public void processElement(
            StepUpdate update,
            ProcessFunction<StepUpdate, ModelVersion>.Context ctx,
            Collector<ModelVersion> out) {
        StepUpdate[] parts = add(update);
        for (StepUpdate part : parts) {
            if (part == null) {
                return;
            }
        }
        updates.remove(update.version);
        long rows = 0;
        double lossSum = 0;
        for (StepUpdate part : parts) {
            rows += part.rows;
            lossSum += part.lossSum;
        }
        metrics.roundEnded(update.version, lossSum / rows, rows);
        LOG.debug("{} version {}: {}", iterationName, update.version, metrics);
        out.collect(new ModelVersion(update.version + 1, average(parts)));
    }

    private static ModelWeights average(StepUpdate[] parts) {
        ModelWeights first = parts[0].weights;
        long rows = 0;
        double[][] sums = new double[first.size()][];
        for (int v = 0; v < sums.length; v++) {
            sums[v] = new double[first.values[v].length];
        }
        for (StepUpdate part : parts) {
            if (!first.hasLayoutOf(part.weights)) {
                throw new IllegalStateException("trainers sent weights of different layouts");
            }
            rows += part.rows;
            for (int v = 0; v < sums.length; v++) {
                float[] values = part.weights.values[v];
                for (int i = 0; i < values.length; i++) {
                    sums[v][i] += (double) values[i] * part.rows;
                }
            }
        }
        float[][] values = new float[sums.length][];
        for (int v = 0; v < sums.length; v++) {
            values[v] = new float[sums[v].length];
            for (int i = 0; i < values[v].length; i++) {
                values[v][i] = (float) (sums[v][i] / rows);
            }
        }
        return new ModelWeights(first.names, first.shapes, values);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        List<StepUpdate> waiting = new ArrayList<>();
        for (StepUpdate[] parts : updates.values()) {
            for (StepUpdate part : parts) {
                if (part != null) {
                    waiting.add(part);
                }
            }
        }
        updatesState.update(waiting);
    }
}
