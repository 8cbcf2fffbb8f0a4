/**
 * DataStream helpers flink-ml algorithms use ({@code org.apache.flink.ml.common.datastream} in
 * flink-ml). So far: {@link io.github.flinkiteration.flinkml.common.datastream.EndOfStreamWindows}.
 *
 * <pre>{@code
 * points.keyBy(p -> p.cluster).window(EndOfStreamWindows.get()).reduce(Point::add);
 * }</pre>
 */
package io.github.flinkiteration.flinkml.common.datastream;
