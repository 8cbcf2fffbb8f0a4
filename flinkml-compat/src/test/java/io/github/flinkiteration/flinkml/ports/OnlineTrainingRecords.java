package io.github.flinkiteration.flinkml.ports;

import java.util.Random;

/**
 * The labelled records of the benchmarks' online training workload (BENCHMARKS.md, W4): record
 * {@code i} has ten features uniform in [−1, 1) drawn from its own seed, and label 1 when it lies
 * on the positive side of a fixed hyperplane through the origin.
 */
final class OnlineTrainingRecords {

    static final int FEATURES = 10;

    private static final double[] TRUE_WEIGHTS = {1, -1, 0.5, -0.5, 2, -2, 0.25, -0.25, 1.5, -1.5};

    private OnlineTrainingRecords() {}

    /** Record {@code index}, with weight 1. */
    static LabeledPointWithWeight record(long index) {
        Random random = new Random(42 * 0x9E3779B97F4A7C15L + index);
        double[] features = new double[FEATURES];
        double margin = 0;
        for (int j = 0; j < FEATURES; j++) {
            features[j] = random.nextDouble() * 2 - 1;
            margin += TRUE_WEIGHTS[j] * features[j];
        }
        return new LabeledPointWithWeight(new DenseVector(features), margin > 0 ? 1 : 0, 1);
    }
}
