package io.github.flinkiteration.examples;

import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Reads the {@code --name value} arguments of the examples' {@code main} methods. */
final class Arguments {

    private Arguments() {}

    /** The integer after {@code name}, or {@code fallback} when {@code name} is absent. */
    static int intValue(String[] args, String name, int fallback) {
        String value = stringValue(args, name);
        return value == null ? fallback : Integer.parseInt(value);
    }

    /**
     * Sets the parallelism of an example's job: {@code --parallelism N} if given; otherwise 2 on an
     * embedded MiniCluster, and on a cluster the parallelism the job was submitted with.
     */
    static void applyParallelism(String[] args, StreamExecutionEnvironment env) {
        String parallelism = stringValue(args, "--parallelism");
        if (parallelism != null) {
            env.setParallelism(Integer.parseInt(parallelism));
        } else if (env instanceof LocalStreamEnvironment) {
            env.setParallelism(2);
        }
    }

    /**
     * Turns on checkpointing when {@code --checkpoint-interval-ms N} is given: a checkpoint every N
     * ms, kept in {@code --checkpoint-dir URI} if given (the cluster's setting otherwise), and a
     * fixed-delay restart strategy of {@code --restart-attempts A} attempts (10 unless given) one
     * second apart, so that a job recovers promptly from a lost TaskManager instead of backing off
     * exponentially. Without the flag, nothing changes.
     */
    static void applyCheckpointing(String[] args, StreamExecutionEnvironment env) {
        String interval = stringValue(args, "--checkpoint-interval-ms");
        if (interval == null) {
            return;
        }
        Configuration configuration = new Configuration();
        configuration.set(
                CheckpointingOptions.CHECKPOINTING_INTERVAL,
                Duration.ofMillis(Long.parseLong(interval)));
        String directory = stringValue(args, "--checkpoint-dir");
        if (directory != null) {
            configuration.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, directory);
        }
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        configuration.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS,
                intValue(args, "--restart-attempts", 10));
        configuration.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
        env.configure(configuration);
    }

    /** The argument after {@code name}, or {@code null} when {@code name} is absent. */
    static String stringValue(String[] args, String name) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return null;
    }
}
