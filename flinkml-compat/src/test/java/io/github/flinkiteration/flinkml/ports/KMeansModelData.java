package io.github.flinkiteration.flinkml.ports;

/** A k-means model, as flink-ml's: the centroids and how many points each one got. */
public class KMeansModelData {

    public DenseVector[] centroids;

    /** {@code weights.values[i]}: the number of points of centroid {@code i}. */
    public DenseVector weights;

    public KMeansModelData() {}

    public KMeansModelData(DenseVector[] centroids, DenseVector weights) {
        this.centroids = centroids;
        this.weights = weights;
    }
}
