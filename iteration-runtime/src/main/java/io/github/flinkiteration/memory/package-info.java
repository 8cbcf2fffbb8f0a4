/**
 * Managed-memory storage for algorithm authors. {@link ManagedMemoryList} is a list an operator
 * keeps in its share of the slot's managed memory and that spills to local files beyond it; it is
 * backed by the same buffer that caches replayed constants (the replay package's {@code
 * SpillingBuffer}). Where it spills is set with {@link io.github.flinkiteration.api.SpillOptions}.
 * This package sits in the top layer of the runtime, next to the builder: nothing in the runtime
 * uses it. See README.md, section "Large data in managed memory", and docs/architecture.md, section
 * 6 "Constants: replay every round" (the paragraph on the cache).
 */
package io.github.flinkiteration.memory;
