/**
 * DataStream helpers flink-ml algorithms use ({@code org.apache.flink.ml.common.datastream} in
 * flink-ml): {@link io.github.flinkiteration.flinkml.common.datastream.EndOfStreamWindows} and
 * {@link io.github.flinkiteration.flinkml.common.datastream.DataStreamUtils}. Both act at the end
 * of input, which inside {@code IterationBody.forEachRound} is the end of each round.
 *
 * <pre>{@code
 * points.keyBy(p -> p.cluster).window(EndOfStreamWindows.get()).reduce(Point::add);
 * DataStream<double[]> total = DataStreamUtils.allReduceSum(partialSums);
 * }</pre>
 */
package io.github.flinkiteration.flinkml.common.datastream;
