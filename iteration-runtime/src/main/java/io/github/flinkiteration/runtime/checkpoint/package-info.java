/**
 * Checkpoint support shared by the iteration's operators. {@link ItemListState} keeps a mixed
 * sequence of items (records, markers, held records) in operator list state, written with the
 * operator's own serializers in chunks; {@link ProgressState} keeps a subtask's round counters
 * where the parallelism cannot change, {@link SubtaskProgress} in union state where it can
 * (unbounded iterations rescale). {@link CheckpointPreconditions} rejects unaligned checkpoints and
 * a restore of a bounded iteration at another parallelism when the operators start. See
 * docs/architecture.md, section 7 "Checkpoints".
 */
package io.github.flinkiteration.runtime.checkpoint;
