/**
 * flink-ml's iteration API (FLIP-176) on Flink Iteration: the classes of {@code
 * org.apache.flink.iteration} under the same simple names, so that a flink-ml body compiles after
 * replacing {@code org.apache.flink.iteration} with {@code io.github.flinkiteration.flinkml} in its
 * imports.
 *
 * <pre>{@code
 * DataStreamList result = Iterations.iterateBoundedStreamsUntilTermination(
 *         DataStreamList.of(initialModel),
 *         ReplayableDataStreamList.replay(trainData),
 *         IterationConfig.newBuilder().build(),
 *         (variables, data) -> { ... return new IterationBodyResult(feedback, outputs, criteria); });
 * }</pre>
 *
 * <p>The calls are translated into {@link io.github.flinkiteration.api.BoundedIteration} and {@link
 * io.github.flinkiteration.api.UnboundedIteration}; docs/flinkml-compat.md lists where the
 * semantics differ from flink-ml's.
 */
package io.github.flinkiteration.flinkml;
