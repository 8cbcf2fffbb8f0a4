package io.github.flinkiteration.runtime.replay;

import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Options of the replay of constants ({@code BoundedIteration#bindConstant}).
 *
 * <pre>{@code
 * Configuration conf = new Configuration();
 * conf.set(ReplayOptions.SPILL_DIRECTORIES, List.of("/mnt/fast-disk/replay"));
 * StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
 * }</pre>
 */
public final class ReplayOptions {

    /**
     * Where a constant's cache spills once its managed memory is full; subtasks spread over the
     * directories. By default the TaskManager's temporary directories ({@code io.tmp.dirs}).
     */
    public static final ConfigOption<List<String>> SPILL_DIRECTORIES =
            ConfigOptions.key("iteration.replay.spill-dirs")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription(
                            "Directories where the cache of a replayed constant spills once its"
                                    + " managed memory is full. Default: the TaskManager's"
                                    + " temporary directories.");

    private ReplayOptions() {}
}
