package io.github.flinkiteration.flinkml.common.datastream;

import org.apache.flink.api.common.functions.ReduceFunction;

/** Sums two arrays of the same length element by element, into a new array. */
final class ElementWiseSum implements ReduceFunction<double[]> {

    private static final long serialVersionUID = 1L;

    @Override
    public double[] reduce(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(
                    "allReduceSum: the input arrays must have the same length, got "
                            + a.length
                            + " and "
                            + b.length);
        }
        // A new array: the inputs may be objects the upstream operator still holds.
        double[] sum = new double[a.length];
        for (int i = 0; i < sum.length; i++) {
            sum[i] = a[i] + b[i];
        }
        return sum;
    }
}
