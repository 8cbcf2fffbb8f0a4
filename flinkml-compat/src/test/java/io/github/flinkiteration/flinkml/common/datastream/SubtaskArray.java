package io.github.flinkiteration.flinkml.common.datastream;

import org.apache.flink.api.common.functions.RichMapFunction;

/** Turns any record into the array {@code [i, 2i, 1]} of its subtask {@code i}. */
class SubtaskArray extends RichMapFunction<Integer, double[]> {

    private static final long serialVersionUID = 1L;

    static double[] of(int subtask) {
        return new double[] {subtask, 2.0 * subtask, 1};
    }

    @Override
    public double[] map(Integer ignored) {
        return of(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
    }
}
