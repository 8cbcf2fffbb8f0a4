/**
 * Runnable algorithms built on the iteration API. {@link KMeans} is a bounded iteration (the
 * centroids are the variable), {@link OnlineLogisticRegression} an unbounded one (the model is the
 * variable, trainers send gradients to one updater), and {@link TensorFlowTrainAndScore} trains and
 * scores a TensorFlow model with tf-bridge in one job. {@link CirculatingSums} sends events round
 * an unbounded loop into keyed sums, the job the rescaling tests run on a cluster. Each has a plain
 * Java reference ({@link KMeansReference}, {@link OnlineLogisticRegressionReference}) that tests
 * compare against, and generated data ({@link KMeansData}, {@link LabeledPoints}, {@link Blobs}).
 * {@link TextFileSink} hands a result back when an example runs on a cluster. See README.md,
 * sections "A first iteration", "Online training: an unbounded iteration" and "Running on a Flink
 * cluster"; docs/architecture.md, section 5 "Unbounded iterations", describes the online example.
 */
package io.github.flinkiteration.examples;
