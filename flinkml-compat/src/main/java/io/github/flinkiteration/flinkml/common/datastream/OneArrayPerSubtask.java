package io.github.flinkiteration.flinkml.common.datastream;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Forwards the arrays of an {@code allReduceSum} input and fails on a second array in the same
 * subtask, as flink-ml's contract asks. Inside a per-round body each round gets a fresh instance,
 * so the limit holds per round.
 */
final class OneArrayPerSubtask implements FlatMapFunction<double[], double[]> {

    private static final long serialVersionUID = 1L;

    private boolean seen;

    @Override
    public void flatMap(double[] array, Collector<double[]> out) {
        if (seen) {
            throw new IllegalStateException(
                    "allReduceSum: a subtask of the input received more than one double array");
        }
        seen = true;
        out.collect(array);
    }
}
