/**
 * flink-ml's windowing strategies ({@code org.apache.flink.ml.common.window} in flink-ml), the
 * argument of {@code DataStreamUtils.windowAllAndProcess}: {@link
 * io.github.flinkiteration.flinkml.common.window.GlobalWindows}, {@link
 * io.github.flinkiteration.flinkml.common.window.CountTumblingWindows}, event- and processing-time
 * tumbling and session windows. Times are {@link java.time.Duration}s: Flink 2 removed the {@code
 * Time} class flink-ml's took.
 *
 * <pre>{@code
 * DataStreamUtils.windowAllAndProcess(values, CountTumblingWindows.of(100), new SumBatch());
 * }</pre>
 */
package io.github.flinkiteration.flinkml.common.window;
