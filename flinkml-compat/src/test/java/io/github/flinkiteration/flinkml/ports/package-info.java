/**
 * Ports of two flink-ml-lib training loops to this module: {@link
 * io.github.flinkiteration.flinkml.ports.KMeans} (flink-ml's {@code KMeans}, with the prediction of
 * its {@code KMeansModel} through a broadcast variable) and {@link
 * io.github.flinkiteration.flinkml.ports.LogisticRegression} (flink-ml's {@code LogisticRegression}
 * through its {@code SGD} optimizer). Each keeps the structure of the original iteration body (its
 * operators, listeners, per-round sub-body and helper calls) and is checked against a plain-Java
 * reference.
 *
 * <p>They live in test scope: they are evidence that the layer carries flink-ml's bodies, not an
 * API. flink-ml's estimators read and write Tables and carry parameter maps; these take and return
 * DataStreams, so publishing them under flink-ml's names would break the import rule's promise.
 *
 * <pre>{@code
 * DataStream<KMeansModelData> model = KMeans.fit(points, initialCentroids, 20);
 * }</pre>
 */
package io.github.flinkiteration.flinkml.ports;
