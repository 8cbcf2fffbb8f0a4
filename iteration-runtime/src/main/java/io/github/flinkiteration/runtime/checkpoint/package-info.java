/**
 * Checkpoint support shared by the iteration's operators. {@link ItemListState} keeps a mixed
 * sequence of items (records, markers, held records) in operator list state, written with the
 * operator's own serializers in chunks; {@link ProgressState} keeps a subtask's round counters
 * where the parallelism cannot change, {@link SubtaskProgress} in union state where it can
 * (unbounded iterations rescale from any snapshot, bounded ones from snapshots taken between two
 * rounds). {@link AsyncRawState} writes an operator's raw operator state (held rounds, replay
 * caches) in Flink's asynchronous checkpoint phase from views frozen in the synchronous one. {@link
 * CheckpointPreconditions} rejects unaligned checkpoints, and builds the failures of a restore at
 * another parallelism from a snapshot that cannot be rescaled. See docs/architecture.md, section 7
 * "Checkpoints".
 */
package io.github.flinkiteration.runtime.checkpoint;
