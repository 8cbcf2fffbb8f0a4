package io.github.flinkiteration.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Centroids#nearest} picks what the textbook loop picks, ties included. */
class CentroidsTest {

    @ParameterizedTest(name = "k = {0}")
    @ValueSource(ints = {1, 2, 3, 10, 11})
    void nearestAgreesWithTheTextbookLoop(int k) {
        Random random = new Random(k);
        double[][] values = new double[k][KMeansData.DIMENSIONS];
        for (double[] centroid : values) {
            for (int j = 0; j < centroid.length; j++) {
                centroid[j] = Math.floor(random.nextDouble() * 6); // coarse grid: many ties
            }
        }
        if (k > 2) {
            values[k - 1] = values[0].clone(); // an exact duplicate: the lower index must win
        }
        Centroids centroids = new Centroids(values);
        for (int n = 0; n < 20_000; n++) {
            double[] point = new double[KMeansData.DIMENSIONS];
            for (int j = 0; j < point.length; j++) {
                point[j] = n % 2 == 0 ? Math.floor(random.nextDouble() * 6) : random.nextGaussian();
            }
            assertThat(centroids.nearest(point)).isEqualTo(textbookNearest(values, point));
        }
    }

    private static int textbookNearest(double[][] values, double[] point) {
        int best = 0;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int i = 0; i < values.length; i++) {
            double distance = 0;
            for (int j = 0; j < point.length; j++) {
                distance += (point[j] - values[i][j]) * (point[j] - values[i][j]);
            }
            if (distance < bestDistance) {
                bestDistance = distance;
                best = i;
            }
        }
        return best;
    }
}
