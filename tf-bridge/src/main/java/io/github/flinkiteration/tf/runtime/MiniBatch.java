package io.github.flinkiteration.tf.runtime;

import io.github.flinkiteration.tf.params.RemainderPolicy;

/**
 * A mini-batch being filled: row-major features and labels with room for {@code capacity} rows,
 * reused from batch to batch.
 */
final class MiniBatch {

    private final int numFeatures;
    private final float[] features;
    private final float[] labels;
    private int rows;

    MiniBatch(int capacity, int numFeatures) {
        this.numFeatures = numFeatures;
        this.features = new float[capacity * numFeatures];
        this.labels = new float[capacity];
    }

    /** Adds a row; returns whether the batch is now full. */
    boolean add(float[] rowFeatures, float label) {
        System.arraycopy(rowFeatures, 0, features, rows * numFeatures, numFeatures);
        labels[rows] = label;
        rows++;
        return isFull();
    }

    boolean isFull() {
        return rows == labels.length;
    }

    boolean isEmpty() {
        return rows == 0;
    }

    int rows() {
        return rows;
    }

    float[] features() {
        return features;
    }

    float[] labels() {
        return labels;
    }

    void clear() {
        rows = 0;
    }

    /**
     * Readies a partly filled batch for training under {@code policy}: returns the rows to train on
     * (0 to skip it). PAD repeats the batch's rows from its first one until it is full.
     */
    int prepareRemainder(RemainderPolicy policy) {
        if (rows == 0) {
            return 0;
        }
        switch (policy) {
            case DROP:
                return 0;
            case PARTIAL:
                return rows;
            case PAD:
                int real = rows;
                for (int next = 0; !isFull(); next = (next + 1) % real) {
                    float[] row = new float[numFeatures];
                    System.arraycopy(features, next * numFeatures, row, 0, numFeatures);
                    add(row, labels[next]);
                }
                return rows;
            default:
                throw new IllegalStateException("unknown remainder policy " + policy);
        }
    }

    /** The rows held now, as examples (for a snapshot). */
    TrainingExample[] toExamples() {
        TrainingExample[] examples = new TrainingExample[rows];
        for (int r = 0; r < rows; r++) {
            float[] row = new float[numFeatures];
            System.arraycopy(features, r * numFeatures, row, 0, numFeatures);
            examples[r] = new TrainingExample(0, row, labels[r]);
        }
        return examples;
    }
}
