/**
 * Builds an iteration into the job graph: the top layer of the runtime. {@link
 * FlinkIterationRuntime} is the {@link io.github.flinkiteration.api.spi.IterationRuntime} that the
 * API finds through {@link java.util.ServiceLoader}; it hands the bindings to the iteration
 * builder, which runs the body in a draft environment, checks what the body declared, and wires the
 * real graph: a control source and a head per variable, the translated body, a tail per feedback, a
 * termination check per condition, a replay per constant and an unwrapping operator per output.
 * This package may use every runtime package below it. The sub-packages form layers, each using
 * only the layers below it; the package map at the start of docs/architecture.md lists them, and
 * {@code ArchitectureTest} enforces the order. See docs/architecture.md, section 1 "From body to
 * job graph".
 */
package io.github.flinkiteration.runtime;
