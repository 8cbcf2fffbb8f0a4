/**
 * Low-level helpers that touch Flink itself. {@link FlinkInternals} is the only place that reaches
 * into Flink internals by reflection (the control source's way to the job's coordinator store, and
 * the network outputs an operator flushes), checked against Flink 2.3.0. {@link OutputFlusher}
 * sends a round watermark and the records before it without waiting for the buffer timeout, and
 * {@link EagerFlusher} sends what an operator emitted within about a millisecond, without flushing
 * on every record, as unbounded iterations need. {@link ChainedHandoff} lets a loop operator hand
 * records straight to the one operator chained behind it, without the copy Flink's chaining output
 * makes, where the loop's own operators need none ({@link HandoffOutput} is the output that does
 * it). See docs/architecture.md, section 2 "Records and round watermarks" (flushing), section 4
 * "Termination" (job scope) and section 5 "Unbounded iterations".
 */
package io.github.flinkiteration.runtime.internal;
