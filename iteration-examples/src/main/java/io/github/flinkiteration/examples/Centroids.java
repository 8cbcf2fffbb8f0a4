package io.github.flinkiteration.examples;

import java.util.Arrays;

/** A set of k-means centroids: {@code values[i]} is centroid {@code i}. */
public class Centroids {

    public double[][] values;

    public Centroids() {}

    public Centroids(double[][] values) {
        this.values = values;
    }

    /**
     * Index of the centroid nearest to {@code point} (squared Euclidean; ties to the lowest).
     *
     * <p>Measures two centroids per pass over the point. Each distance is still summed dimension by
     * dimension in order, so it is bit for bit the plain loop's; but the two sums do not wait for
     * each other, which about halves the time of a loop that is otherwise one chain of dependent
     * additions.
     */
    public int nearest(double[] point) {
        int best = 0;
        double bestDistance = Double.POSITIVE_INFINITY;
        int i = 0;
        for (; i + 1 < values.length; i += 2) {
            double[] first = values[i];
            double[] second = values[i + 1];
            double firstDistance = 0;
            double secondDistance = 0;
            for (int j = 0; j < point.length; j++) {
                double d1 = point[j] - first[j];
                double d2 = point[j] - second[j];
                firstDistance += d1 * d1;
                secondDistance += d2 * d2;
            }
            if (firstDistance < bestDistance) {
                bestDistance = firstDistance;
                best = i;
            }
            if (secondDistance < bestDistance) {
                bestDistance = secondDistance;
                best = i + 1;
            }
        }
        if (i < values.length) {
            double distance = 0;
            for (int j = 0; j < point.length; j++) {
                double d = point[j] - values[i][j];
                distance += d * d;
            }
            if (distance < bestDistance) {
                best = i;
            }
        }
        return best;
    }

    /**
     * One subtask's share of a k-means round: assigns every point to its nearest centroid and sums
     * the points of each cluster.
     */
    public PartialSums assign(Iterable<double[]> points) {
        int k = values.length;
        double[][] sums = new double[k][KMeansData.DIMENSIONS];
        long[] counts = new long[k];
        for (double[] point : points) {
            assign(point, sums, counts);
        }
        return new PartialSums(sums, counts, values);
    }

    /** Adds {@code point} to the sums and the count of its nearest centroid's cluster. */
    public void assign(double[] point, double[][] sums, long[] counts) {
        int cluster = nearest(point);
        counts[cluster]++;
        double[] clusterSums = sums[cluster];
        for (int j = 0; j < point.length; j++) {
            clusterSums[j] += point[j];
        }
    }

    /** The sum of all coordinates of all centroids: the workload's result checksum. */
    public double checksum() {
        double sum = 0;
        for (double[] centroid : values) {
            for (double v : centroid) {
                sum += v;
            }
        }
        return sum;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            text.append(i).append(": ").append(Arrays.toString(values[i])).append('\n');
        }
        return text.toString();
    }
}
