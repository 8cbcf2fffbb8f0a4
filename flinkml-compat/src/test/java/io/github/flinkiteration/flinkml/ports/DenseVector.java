package io.github.flinkiteration.flinkml.ports;

import java.util.Arrays;

/**
 * The few parts of flink-ml's {@code DenseVector} the ports use: a POJO around a {@code double[]},
 * so Flink serializes it without Kryo.
 */
public class DenseVector {

    public double[] values;

    public DenseVector() {}

    public DenseVector(double[] values) {
        this.values = values;
    }

    public DenseVector(int size) {
        this(new double[size]);
    }

    public int size() {
        return values.length;
    }

    @Override
    public String toString() {
        return Arrays.toString(values);
    }
}
