/**
 * The operators and values that run a TensorFlow training or inference on the cluster. {@link
 * DataParallelTrainer} trains on its partition each round and {@link WeightAverager} averages the
 * trainers' weights into the next round's feedback; {@link OnlineTrainer} and {@link
 * OnlineAverager} do the same step by step in an online training; {@link ScoringOperator} scores
 * rows with the latest model version, through a feature matrix ({@code FeatureMatrixScorer}) or a
 * SavedModel signature's named inputs and outputs ({@code NamedSignatureScorer}). {@link
 * ModelSession} owns one subtask's TensorFlow graph and session (reference and resource variables,
 * Java-built graphs and SavedModels), and {@link TensorFlowNative} loads the native library once
 * per JVM. {@link FeatureColumns} reads number and vector columns into features. The remaining
 * classes turn rows into {@link TrainingExample}s and partition them, carry updates between
 * operators, hold the validated settings shipped with the operators, write SavedModels (atomically,
 * {@code SavedModelWriter}), and hold operator state for checkpoints. See docs/tf-bridge.md,
 * sections "How it works", "Checkpoints and failover" and "Inference: TFModel".
 */
package io.github.flinkiteration.tf.runtime;
