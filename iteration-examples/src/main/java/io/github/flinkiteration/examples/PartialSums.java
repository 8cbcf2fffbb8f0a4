package io.github.flinkiteration.examples;

/**
 * One subtask's share of a k-means round: per cluster, the coordinate sums and the number of its
 * points, plus the centroids they were assigned with (kept for clusters that got no point).
 */
public class PartialSums {

    public double[][] sums;
    public long[] counts;
    public double[][] assignedWith;

    public PartialSums() {}

    public PartialSums(double[][] sums, long[] counts, double[][] assignedWith) {
        this.sums = sums;
        this.counts = counts;
        this.assignedWith = assignedWith;
    }
}
