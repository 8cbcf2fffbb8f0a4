package io.github.flinkiteration.flinkml.common.datastream;

import org.apache.flink.api.common.functions.MapPartitionFunction;
import org.apache.flink.util.Collector;

/** The sum and the number of a subtask's integers, as {@code [sum, count]}. */
class SumAndCount implements MapPartitionFunction<Integer, double[]> {

    private static final long serialVersionUID = 1L;

    @Override
    public void mapPartition(Iterable<Integer> values, Collector<double[]> out) {
        double sum = 0;
        double count = 0;
        for (int v : values) {
            sum += v;
            count++;
        }
        out.collect(new double[] {sum, count});
    }
}
