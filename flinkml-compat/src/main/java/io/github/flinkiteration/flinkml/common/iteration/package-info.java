/**
 * The helpers flink-ml algorithms use inside iteration bodies ({@code
 * org.apache.flink.ml.common.iteration} in flink-ml): termination criteria after a number of rounds
 * or below a loss tolerance, and forwarding the values of the last round out of the loop.
 *
 * <pre>{@code
 * DataStream<Integer> criteria = model.flatMap(new TerminateOnMaxIter<>(maxIter));
 * DataStream<Model> finalModel = model.flatMap(new ForwardInputsOfLastRound<>());
 * }</pre>
 */
package io.github.flinkiteration.flinkml.common.iteration;
