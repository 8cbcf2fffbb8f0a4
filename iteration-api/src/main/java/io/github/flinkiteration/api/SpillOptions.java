package io.github.flinkiteration.api;

import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Where managed-memory buffers spill: the cache of a replayed constant ({@code
 * BoundedIteration#bindConstant}) and {@code io.github.flinkiteration.memory.ManagedMemoryList}s.
 * Set it for the job or in the TaskManagers' configuration.
 *
 * <pre>{@code
 * Configuration conf = new Configuration();
 * conf.set(SpillOptions.SPILL_DIRECTORIES, List.of("/mnt/fast-disk/spill"));
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

    private SpillOptions() {}
}
