package io.github.flinkiteration.api;

import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

/**
 * Where managed-memory buffers spill: the cache of a replayed constant ({@code
 * BoundedIteration#bindConstant}), the feedback a head holds, {@code
 * io.github.flinkiteration.memory.ManagedMemoryList}s; and how much feedback may wait on the heap
 * before it spills there too. Set them for the job or in the TaskManagers' configuration.
 *
 * <pre>{@code
 * Configuration conf = new Configuration();
 * conf.set(SpillOptions.SPILL_DIRECTORIES, List.of("/mnt/fast-disk/spill"));
 * conf.set(SpillOptions.EARLY_RECORDS_HEAP_RECORDS, 10_000);
 * StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
 * }</pre>
 */
public final class SpillOptions {

    /**
     * Where buffers spill once their managed memory is full; subtasks spread over the directories.
     * By default the TaskManager's temporary directories ({@code io.tmp.dirs}).
     */
    public static final ConfigOption<List<String>> SPILL_DIRECTORIES =
            ConfigOptions.key("iteration.spill-dirs")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription(
                            "Directories where the cache of a replayed constant and managed-memory"
                                    + " lists spill once their managed memory is full. Default:"
                                    + " the TaskManager's temporary directories.");

    /**
     * Serialized feedback that may wait on the heap between a tail and its head (per subtask and
     * variable) before further feedback spills to a file, which the head reads back at its pace.
     */
    public static final ConfigOption<MemorySize> HANDOFF_HEAP_BYTES =
            ConfigOptions.key("iteration.handoff.heap-bytes")
                    .memoryType()
                    .defaultValue(MemorySize.ofMebiBytes(32))
                    .withDescription(
                            "Serialized feedback that may wait on the heap between a tail and its"
                                    + " head (per subtask and variable) before further feedback"
                                    + " spills to a file in iteration.spill-dirs.");

    /**
     * Feedback records handed over as objects (unbounded iterations) that may wait on the heap
     * between a tail and its head before the tail serializes further ones and they spill.
     */
    public static final ConfigOption<Integer> HANDOFF_HEAP_RECORDS =
            ConfigOptions.key("iteration.handoff.heap-records")
                    .intType()
                    .defaultValue(100_000)
                    .withDescription(
                            "Feedback records of an unbounded iteration that may wait on the heap"
                                    + " between a tail and its head (per subtask and variable)"
                                    + " before further ones spill to a file in"
                                    + " iteration.spill-dirs.");

    /**
     * Records of a later round that a body operator of a bounded iteration may hold on the heap
     * (they arrived before its end of the current round) before further ones spill to a file.
     */
    public static final ConfigOption<Integer> EARLY_RECORDS_HEAP_RECORDS =
            ConfigOptions.key("iteration.early-records.heap-records")
                    .intType()
                    .defaultValue(100_000)
                    .withDescription(
                            "Records of a later round that a body operator of a bounded iteration"
                                    + " holds on the heap (they arrived before its end of the"
                                    + " current round) before further ones spill to a file in"
                                    + " iteration.spill-dirs.");

    private SpillOptions() {}
}
