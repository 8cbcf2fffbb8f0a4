package io.github.flinkiteration.runtime.draft;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.transformations.PartitionTransformation;
import org.apache.flink.streaming.api.transformations.StreamExchangeMode;
import org.apache.flink.streaming.runtime.partitioner.BroadcastPartitioner;

/**
 * How the edges inside a loop are exchanged. In a STREAMING job every edge is pipelined and this
 * changes nothing. In a BATCH job Flink makes every edge that leaves a chain blocking (a consumer
 * starts once its producer has finished), and a loop whose head, body and tail do not all run at
 * the same time never ends. So in a BATCH job each input edge of a loop operator is marked {@link
 * StreamExchangeMode#PIPELINED}: the loop becomes one pipelined region, and the edges into and out
 * of it stay as the job's shuffle mode makes them.
 *
 * <p>An edge is marked by a {@link PartitionTransformation} without a partitioner, which Flink
 * reads as "choose as for an edge without one" (forward at equal parallelism, rebalance otherwise),
 * so the marking changes neither partitioning nor chaining.
 */
public final class LoopEdges {

    private final boolean batch;

    private LoopEdges(boolean batch) {
        this.batch = batch;
    }

    /** The edges of a loop in a job with {@code config}, by its runtime mode. */
    public static LoopEdges of(ReadableConfig config) {
        return new LoopEdges(isBatch(config));
    }

    /** Whether a job with {@code config} runs in BATCH mode. */
    public static boolean isBatch(ReadableConfig config) {
        return config.get(ExecutionOptions.RUNTIME_MODE) == RuntimeExecutionMode.BATCH;
    }

    /** Whether this loop runs in a BATCH job. */
    public boolean isBatch() {
        return batch;
    }

    /** {@code input} as an input of a loop operator: pipelined in a BATCH job. */
    public <T> Transformation<T> into(Transformation<T> input) {
        if (!batch) {
            return input;
        }
        return new PartitionTransformation<>(input, null, StreamExchangeMode.PIPELINED);
    }

    /**
     * {@code control}, a control source, as the input of its entry operator. In a BATCH job it is
     * broadcast: Flink restarts a failed task's pipelined region, computed per subtask, and an
     * all-to-all edge puts every subtask of the loop into one region, so a failure restarts the
     * whole loop from its inputs rather than one subtask that then lags behind rounds the others
     * finished. The control source emits nothing, so broadcasting costs nothing.
     */
    public <T> Transformation<T> control(Transformation<T> control) {
        if (!batch) {
            return control;
        }
        return new PartitionTransformation<>(
                control, new BroadcastPartitioner<>(), StreamExchangeMode.PIPELINED);
    }

    /** The exchange mode for a partitioning inside the loop for which {@code requested} was set. */
    public StreamExchangeMode exchangeMode(StreamExchangeMode requested) {
        return batch ? StreamExchangeMode.PIPELINED : requested;
    }
}
