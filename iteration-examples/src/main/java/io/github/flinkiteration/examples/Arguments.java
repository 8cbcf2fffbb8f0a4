package io.github.flinkiteration.examples;

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
