package io.github.flinkiteration.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The memory (and CPU) settings of one kind of Flink process, derived from config.yaml the way
 * Flink's own start scripts derive them: by running Flink's {@code BashJavaUtils}. A TaskManager
 * started without them stops at once ("taskmanager.cpu.cores is not set").
 *
 * @param jvmOptions heap, direct memory and metaspace limits for the JVM command line
 * @param dynamicProperties {@code -D key=value} pairs, as separate arguments, for the process's own
 *     arguments
 */
record ResourceParameters(List<String> jvmOptions, List<String> dynamicProperties) {

    static final String UTILITY_CLASS = "org.apache.flink.runtime.util.bash.BashJavaUtils";

    /** BashJavaUtils prefixes each line of its answer with this; other output is logging. */
    private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";

    private static final long TIMEOUT_SECONDS = 120;

    /** The BashJavaUtils command for each kind of process. */
    enum Kind {
        JOB_MANAGER("GET_JM_RESOURCE_PARAMS"),
        TASK_MANAGER("GET_TM_RESOURCE_PARAMS");

        final String command;

        Kind(String command) {
            this.command = command;
        }
    }

    /**
     * Runs {@code javaCommand} (java, its options, classpath and {@link #UTILITY_CLASS}) for {@code
     * kind} and parses what it prints.
     */
    static ResourceParameters compute(List<String> javaCommand, String configDir, Kind kind)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(javaCommand);
        command.addAll(List.of(kind.command, "--configDir", configDir));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output;
        try (InputStream stdout = process.getInputStream()) {
            output = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(UTILITY_CLASS + " " + kind.command + " did not finish");
        }
        if (process.exitValue() != 0) {
            throw new IOException(
                    UTILITY_CLASS
                            + " "
                            + kind.command
                            + " failed with exit code "
                            + process.exitValue()
                            + ":\n"
                            + output);
        }
        return parse(output);
    }

    /** The last two result lines are the JVM options and the dynamic properties. */
    static ResourceParameters parse(String output) {
        List<String> results = new ArrayList<>();
        for (String line : output.split("\\R")) {
            if (line.startsWith(RESULT_PREFIX)) {
                results.add(line.substring(RESULT_PREFIX.length()).trim());
            }
        }
        if (results.size() < 2) {
            throw new IllegalArgumentException(
                    "Expected two result lines from " + UTILITY_CLASS + ", got:\n" + output);
        }
        return new ResourceParameters(
                words(results.get(results.size() - 2)), words(results.get(results.size() - 1)));
    }

    private static List<String> words(String line) {
        return line.isEmpty() ? List.of() : Arrays.asList(line.split("\\s+"));
    }
}
