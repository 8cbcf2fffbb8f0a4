/**
 * Model definitions and the values a model is made of. A {@link TFModelDefinition} builds a
 * TensorFlow graph in Java with a {@link ModelBuilder} and returns a {@link ModelGraph} (loss and
 * prediction); {@link LogisticRegressionDefinition} and {@link MultiLayerPerceptronDefinition} are
 * the built-in ones ({@link BinaryCrossEntropy} and {@link SoftmaxCrossEntropy} their losses), and
 * {@link SavedModelDefinition} loads a SavedModel instead ({@link ModelSource} holds one of the
 * two). {@link ModelWeights}, {@link ModelVersion} and {@link RoundLoss} are the Flink POJOs that
 * travel between subtasks and out of a training. See docs/tf-bridge.md, section "Models".
 */
package io.github.flinkiteration.tf.model;
