/**
 * flink-ml's {@code withBroadcastStream} ({@code org.apache.flink.ml.common.broadcast} in
 * flink-ml): {@link io.github.flinkiteration.flinkml.common.broadcast.BroadcastUtils} gives the
 * user function of an operator whole bounded streams as broadcast variables, read through its
 * runtime context. The operator is rebuilt as a multiple-input operator that takes the broadcast
 * streams too and holds its own inputs back until they ended.
 *
 * <pre>{@code
 * DataStream<Integer> predictions = BroadcastUtils.withBroadcastStream(
 *         List.of(points),
 *         Map.of("model", model),
 *         in -> in.get(0).map(new PredictWithModel()));
 * }</pre>
 */
package io.github.flinkiteration.flinkml.common.broadcast;
