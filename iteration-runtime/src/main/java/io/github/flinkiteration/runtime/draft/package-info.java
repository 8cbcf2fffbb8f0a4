/**
 * Translation of an iteration body. The body runs once, on the client, in a {@link
 * DraftEnvironment}, an environment that only records transformations and cannot execute; each
 * bound stream is a {@link PlaceholderTransformation} there. The translator then rebuilds every
 * recorded transformation in the job's real environment: it wraps each operator in a round wrapper,
 * turns element types into iteration records, lets key selectors and partitioners read the value
 * inside the record, and copies names, uids, parallelism, resources and the other settings of each
 * transformation. It rejects what the loop cannot hold (sources, sinks and watermark assignment
 * inside the body, unknown transformation kinds). See docs/architecture.md, section 1 "From body to
 * job graph", steps 1 to 3. {@link io.github.flinkiteration.runtime.draft.LoopEdges} keeps the
 * loop's edges pipelined in a BATCH job (section 7a). {@link
 * io.github.flinkiteration.runtime.draft.RoundObservers} tells whether any operator of a bounded
 * body can observe a round boundary, so whether its rounds need holding (section 5a).
 */
package io.github.flinkiteration.runtime.draft;
