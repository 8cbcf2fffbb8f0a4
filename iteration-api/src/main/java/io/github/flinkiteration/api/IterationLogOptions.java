package io.github.flinkiteration.api;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * How an iteration reports its progress in the TaskManager log. Set it for the job or in the
 * TaskManagers' configuration; see {@code docs/watching-an-iteration.md}.
 *
 * <pre>{@code
 * Configuration conf = new Configuration();
 * conf.set(IterationLogOptions.PROGRESS_INTERVAL, Duration.ofSeconds(30));
 * StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
 * }</pre>
 */
public final class IterationLogOptions {

    /**
     * The least time between two progress lines (round and rounds per second) of one iteration. A
     * line is written when a round completes and this much time has passed since the last one;
     * {@code 0} writes one per round.
     */
    public static final ConfigOption<Duration> PROGRESS_INTERVAL =
            ConfigOptions.key("iteration.log.progress-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription(
                            "The least time between two INFO progress lines of an iteration"
                                    + " (round, rounds per second). A line is written when a round"
                                    + " completes and this much time has passed since the last"
                                    + " one; 0 writes one line per round.");

    private IterationLogOptions() {}
}
