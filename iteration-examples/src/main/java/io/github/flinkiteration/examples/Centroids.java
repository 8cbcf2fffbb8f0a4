package io.github.flinkiteration.examples;

import java.util.Arrays;

/** A set of k-means centroids: {@code values[i]} is centroid {@code i}. */
public class Centroids {

    public double[][] values;

    public Centroids() {}

    public Centroids(double[][] values) {
        this.values = values;
    }

    /** Index of the centroid nearest to {@code point} (squared Euclidean; ties to the lowest). */
    public int nearest(double[] point) {
        int best = 0;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int i = 0; i < values.length; i++) {
            double distance = 0;
            for (int j = 0; j < point.length; j++) {
                double d = point[j] - values[i][j];
                distance += d * d;
            }
            if (distance < bestDistance) {
                bestDistance = distance;
                best = i;
            }
        }
        return best;
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
