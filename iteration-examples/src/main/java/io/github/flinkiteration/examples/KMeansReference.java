package io.github.flinkiteration.examples;

import java.util.Arrays;

/**
 * Lloyd's algorithm in plain, sequential Java, without Flink: the expected result that tests
 * compare the Flink k-means against, wherever that runs.
 */
public final class KMeansReference {

    private KMeansReference() {}

    /** The centroids after {@code rounds} rounds over the first {@code pointCount} points. */
    public static Centroids centroids(int pointCount, int rounds) {
        return centroids(points(pointCount), KMeansData.initialCentroids(), rounds);
    }

    /**
     * The centroids after {@code rounds} rounds over the first {@code pointCount} points, from
     * {@code initial}.
     */
    public static Centroids centroids(int pointCount, Centroids initial, int rounds) {
        return centroids(points(pointCount), initial, rounds);
    }

    /**
     * How many rounds over the first {@code pointCount} points, from {@code initial}, it takes
     * until a round no longer moves any centroid (at most {@code maxRounds}).
     */
    public static int roundsUntilSettled(int pointCount, Centroids initial, int maxRounds) {
        double[][] points = points(pointCount);
        Centroids centroids = initial;
        for (int round = 0; round < maxRounds; round++) {
            Centroids next = step(centroids, points);
            if (Arrays.deepEquals(next.values, centroids.values)) {
                return round;
            }
            centroids = next;
        }
        return maxRounds;
    }

    private static double[][] points(int pointCount) {
        double[][] points = new double[pointCount][];
        for (int i = 0; i < pointCount; i++) {
            points[i] = KMeansData.point(i);
        }
        return points;
    }

    /** The centroids after {@code rounds} rounds over {@code points}, from {@code initial}. */
    public static Centroids centroids(double[][] points, Centroids initial, int rounds) {
        Centroids centroids = initial;
        for (int round = 0; round < rounds; round++) {
            centroids = step(centroids, points);
        }
        return centroids;
    }

    /** One round: every centroid moves to the mean of its points; one without points stays. */
    private static Centroids step(Centroids centroids, double[][] points) {
        int k = centroids.values.length;
        double[][] sums = new double[k][KMeansData.DIMENSIONS];
        long[] counts = new long[k];
        for (double[] point : points) {
            int cluster = centroids.nearest(point);
            counts[cluster]++;
            for (int j = 0; j < point.length; j++) {
                sums[cluster][j] += point[j];
            }
        }
        double[][] next = new double[k][];
        for (int i = 0; i < k; i++) {
            if (counts[i] == 0) {
                next[i] = centroids.values[i].clone();
                continue;
            }
            next[i] = new double[KMeansData.DIMENSIONS];
            for (int j = 0; j < KMeansData.DIMENSIONS; j++) {
                next[i][j] = sums[i][j] / counts[i];
            }
        }
        return new Centroids(next);
    }
}
