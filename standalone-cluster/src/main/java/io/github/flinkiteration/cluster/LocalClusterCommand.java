package io.github.flinkiteration.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Starts or stops a {@link LocalFlinkCluster} from the command line; {@code start.sh} and {@code
 * stop.sh} beside this module's pom call it. {@code start} returns once the cluster is up and
 * leaves it running; {@code stop} ends it through the process ids recorded in the work directory.
 *
 * <pre>
 * start [--work-dir DIR] [--classpath-file FILE] [--rest-port PORT] [--task-managers N]
 * stop  [--work-dir DIR]
 * </pre>
 *
 * Paths are relative to the current directory; the defaults, {@code target/cluster} and {@code
 * target/flink-classpath.txt}, fit the module directory.
 */
public final class LocalClusterCommand {

    private LocalClusterCommand() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length == 0 || !(args[0].equals("start") || args[0].equals("stop"))) {
            System.err.println(
                    "usage: start [--work-dir DIR] [--classpath-file FILE] [--rest-port PORT]"
                            + " [--task-managers N]\n       stop [--work-dir DIR]");
            System.exit(2);
        }
        Path workDir = Path.of(option(args, "--work-dir", "target/cluster"));
        if (args[0].equals("stop")) {
            int stopped = LocalFlinkCluster.stopRecorded(workDir);
            System.out.println(
                    stopped == 0
                            ? "No Flink cluster was running from " + workDir.toAbsolutePath()
                            : "Stopped " + stopped + " Flink processes");
            return;
        }
        Path classpathFile =
                Path.of(option(args, "--classpath-file", "target/flink-classpath.txt"));
        String classpath = Files.readString(classpathFile, StandardCharsets.UTF_8).trim();
        LocalFlinkCluster cluster =
                LocalFlinkCluster.builder(workDir, classpath)
                        .restPort(Integer.parseInt(option(args, "--rest-port", "8081")))
                        .taskManagers(Integer.parseInt(option(args, "--task-managers", "2")))
                        .start();
        cluster.keepRunningAfterExit();
        System.out.println("Flink cluster running; web UI and REST API: " + cluster.restAddress());
        System.out.println("TaskManagers: " + String.join(", ", cluster.taskManagerIds()));
        cluster.prometheusAddresses()
                .forEach((id, address) -> System.out.println("Prometheus, " + id + ": " + address));
        System.out.println("Logs: " + cluster.logDirectory());
    }

    private static String option(String[] args, String name, String fallback) {
        for (int i = 1; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
