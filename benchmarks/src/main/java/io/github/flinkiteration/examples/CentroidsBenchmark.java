package io.github.flinkiteration.examples;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * W2's compute: one subtask's share of a k-means round, 50,000 of the workload's points assigned to
 * the initial centroids; reports ms per round. {@code assign} is the whole of it (the example's
 * {@link Centroids#assign}: assignment and per-cluster sums), {@code nearest} the assignment alone,
 * {@code textbook} the one-centroid-at-a-time loop {@code nearest} replaced; the {@code TwoThreads}
 * variants run two at once, as W2's two subtasks do on a two-core machine.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CentroidsBenchmark {

    static final int POINTS = 50_000;

    private double[][] points;
    private List<double[]> pointList;
    private Centroids centroids;

    @Setup
    public void setUp() {
        points = new double[POINTS][];
        for (int i = 0; i < POINTS; i++) {
            points[i] = KMeansData.point(2L * i);
        }
        pointList = Arrays.asList(points);
        centroids = KMeansData.initialCentroids();
    }

    @Benchmark
    public long nearest() {
        long sum = 0;
        for (double[] point : points) {
            sum += centroids.nearest(point);
        }
        return sum;
    }

    /** A whole subtask's round of W2's compute: assignment and per-cluster sums. */
    @Benchmark
    public PartialSums assign() {
        return centroids.assign(pointList);
    }

    @Benchmark
    @Threads(2)
    public PartialSums assignTwoThreads() {
        return assign();
    }

    @Benchmark
    public long textbook() {
        long sum = 0;
        for (double[] point : points) {
            sum += textbookNearest(centroids.values, point);
        }
        return sum;
    }

    @Benchmark
    @Threads(2)
    public long nearestTwoThreads() {
        return nearest();
    }

    @Benchmark
    @Threads(2)
    public long textbookTwoThreads() {
        return textbook();
    }

    private static int textbookNearest(double[][] values, double[] point) {
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
}
