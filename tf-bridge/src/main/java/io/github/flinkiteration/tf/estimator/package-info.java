/**
 * The entry points of tf-bridge. {@link TFEstimator} trains a TensorFlow model as a bounded
 * iteration (one pass over the rows per round) and {@link TFOnlineEstimator} as an unbounded one (a
 * model version per step); both share their setters through {@link EstimatorSetters} and return a
 * {@link TFModel}, which scores rows with a trained, loaded or online model. {@link
 * TFModelDescription} is everything about a model except its weights. The package-private helpers
 * check the input columns, find the starting weights on the client and build the Table API row
 * types. See docs/tf-bridge.md, sections "How it works", "Inference: TFModel" and "Online training:
 * TFOnlineEstimator".
 */
package io.github.flinkiteration.tf.estimator;
