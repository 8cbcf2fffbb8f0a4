package io.github.flinkiteration.examples;

/**
 * What one trainer subtask sends for one mini-batch: the sum of the log-loss gradients of its share
 * of the batch, computed with model {@code version}, and how many examples the share held.
 */
public class Gradient {

    public long version;

    public int subtask;

    public double[] sum;

    public long count;

    public Gradient() {}

    public Gradient(long version, int subtask, double[] sum, long count) {
        this.version = version;
        this.subtask = subtask;
        this.sum = sum;
        this.count = count;
    }
}
