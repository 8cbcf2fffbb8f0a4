package io.github.flinkiteration.examples;

import java.util.Random;

/**
 * The k-means workload of the benchmarks: points scattered around ten blob centres in ten
 * dimensions. Every value depends only on the seed 42 and the point's index, never on parallelism.
 */
public final class KMeansData {

    public static final int DIMENSIONS = 10;
    public static final int CLUSTERS = 10;
    public static final int DEFAULT_POINTS = 100_000;

    private static final double[][] CENTRES = blobCentres();

    private KMeansData() {}

    private static double[][] blobCentres() {
        Random random = new Random(42);
        double[][] centres = new double[CLUSTERS][DIMENSIONS];
        for (int i = 0; i < CLUSTERS; i++) {
            for (int j = 0; j < DIMENSIONS; j++) {
                centres[i][j] = random.nextDouble() * 20.0 - 10.0;
            }
        }
        return centres;
    }

    /** Point {@code index}: its blob centre plus standard normal noise in each coordinate. */
    public static double[] point(long index) {
        double[] centre = CENTRES[(int) (index % CLUSTERS)];
        Random random = new Random(42 * 0x9E3779B97F4A7C15L + index);
        double[] point = new double[DIMENSIONS];
        for (int j = 0; j < DIMENSIONS; j++) {
            point[j] = centre[j] + random.nextGaussian();
        }
        return point;
    }

    /**
     * Starting centroids that all lie in one blob: points 0, 10, …, 90 (point {@code i} belongs to
     * blob {@code i % 10}). From there the centroids spread out to the other blobs one by one, over
     * dozens of rounds, instead of settling in the first round as from {@link #initialCentroids()}:
     * a run that fails and recovers in the middle really has to restore moving centroids.
     */
    public static Centroids initialCentroidsInOneBlob() {
        double[][] values = new double[CLUSTERS][];
        for (int i = 0; i < CLUSTERS; i++) {
            values[i] = point((long) i * CLUSTERS);
        }
        return new Centroids(values);
    }

    /** The starting centroids: points 0 to 9. */
    public static Centroids initialCentroids() {
        double[][] values = new double[CLUSTERS][];
        for (int i = 0; i < CLUSTERS; i++) {
            values[i] = point(i);
        }
        return new Centroids(values);
    }
}
