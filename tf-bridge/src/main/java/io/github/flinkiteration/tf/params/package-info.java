/**
 * The typed parameters of the TF estimators and models. A {@link Param} has a name, a meaning, a
 * default and a rule; {@link ParamValues} holds what was set. {@link TFEstimatorParams}, {@link
 * TFOnlineEstimatorParams} and {@link TFModelParams} list the parameters with their defaults,
 * {@link OptimizerType} and {@link RemainderPolicy} are the choices, and {@link
 * InvalidParameterException} names a missing or invalid parameter and its fix. See
 * docs/tf-bridge.md, section "Parameters".
 */
package io.github.flinkiteration.tf.params;
