/**
 * Constants: streams that enter the body again in every round. {@link ReplayOperator} passes a
 * constant's records into round 0, caches them, and replays the cache tagged with each new round
 * the coordinator starts, in slices of one mailbox action each. {@link SpillingBuffer} is the
 * cache: serialized pages of managed memory, then one spill file, read back as fresh objects; it
 * also backs the user-facing {@code ManagedMemoryList}. See docs/architecture.md, section 6
 * "Constants: replay every round".
 */
package io.github.flinkiteration.runtime.replay;
