package io.github.flinkiteration.benchmarks;

import java.nio.file.Path;
import java.util.Arrays;
import org.apache.flink.api.common.RuntimeExecutionMode;

/**
 * The benchmarks' command line.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar w1 --parallelism 2 --rounds 1000 --json out.json
 * java -jar benchmarks/target/benchmarks.jar w2 --parallelism 2 --rounds 20 --mode batch
 * java -Xmx1g -jar benchmarks/target/benchmarks.jar w3 --rounds 3 --records 20000000
 * java -jar benchmarks/target/benchmarks.jar w5-session --parallelism 2   # two TF sessions at once
 * java -jar benchmarks/target/benchmarks.jar ckpt --records 4000000 --checkpoint-interval 1000
 * java -jar benchmarks/target/benchmarks.jar summarize out.json
 * java -jar benchmarks/target/benchmarks.jar jmh [JMH options]
 * </pre>
 *
 * A workload run prints one JSON object and, with {@code --json}, appends it as a line to the file.
 * {@code benchmarks/run.sh} repeats every workload in fresh JVMs and summarizes.
 */
public final class BenchmarkMain {

    private BenchmarkMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
            return;
        }
        switch (args[0]) {
            case "jmh":
                org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
                return;
            case "summarize":
                Summary.print(Path.of(args[1]), System.out);
                return;
            default:
                String bufferTimeout = option(args, "--buffer-timeout");
                RunResult result =
                        args[0].equals("ckpt")
                                ? CheckpointWorkload.run(
                                        intOption(args, "--parallelism", 2),
                                        intOption(args, "--rounds", 8),
                                        longOption(args, "--records", 4_000_000L),
                                        longOption(args, "--checkpoint-interval", 1000))
                                : Workloads.run(
                                        args[0],
                                        intOption(args, "--parallelism", 2),
                                        intOption(args, "--rounds", defaultRounds(args[0])),
                                        bufferTimeout == null ? -1 : Long.parseLong(bufferTimeout),
                                        Arrays.asList(args).contains("--object-reuse"),
                                        mode(args),
                                        longOption(args, "--records", Workloads.W3_RECORDS));
                System.out.println(result.toJson());
                String json = option(args, "--json");
                if (json != null) {
                    result.appendTo(Path.of(json));
                }
                // Flink's local cluster leaves threads behind; the run is over.
                System.exit(0);
        }
    }

    private static int defaultRounds(String workload) {
        switch (workload) {
            case "w1":
                return 1000;
            case "w2":
            case "w7":
                return 20;
            case "w5":
            case "w5-session":
                return 10;
            default:
                return 50;
        }
    }

    /** {@code --mode batch} runs the job in Flink's BATCH runtime mode; STREAMING by default. */
    private static RuntimeExecutionMode mode(String[] args) {
        String mode = option(args, "--mode");
        if (mode == null || mode.equalsIgnoreCase("streaming")) {
            return RuntimeExecutionMode.STREAMING;
        }
        if (mode.equalsIgnoreCase("batch")) {
            return RuntimeExecutionMode.BATCH;
        }
        throw new IllegalArgumentException(
                "Unknown --mode '" + mode + "'; expected streaming or batch.");
    }

    private static void usage() {
        System.out.println(
                "usage: benchmarks.jar (w1|w2|w3|w3-chain|w4|w5|w5-session|w6|w7|ckpt) [--parallelism N]"
                        + " [--rounds R] [--records N] [--json FILE] [--buffer-timeout MS] [--object-reuse]"
                        + " [--mode streaming|batch] [--checkpoint-interval MS (ckpt)]\n"
                        + "       benchmarks.jar summarize FILE\n"
                        + "       benchmarks.jar jmh [JMH options]");
    }

    private static String option(String[] args, String name) {
        for (int i = 1; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return null;
    }

    private static long longOption(String[] args, String name, long fallback) {
        String value = option(args, name);
        long parsed = value == null ? fallback : Long.parseLong(value);
        if (parsed <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value + ".");
        }
        return parsed;
    }

    private static int intOption(String[] args, String name, int fallback) {
        String value = option(args, name);
        return value == null ? fallback : Integer.parseInt(value);
    }
}
