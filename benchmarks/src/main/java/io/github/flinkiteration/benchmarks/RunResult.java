package io.github.flinkiteration.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.runtime.util.EnvironmentInformation;

/**
 * One run of one workload, written as one JSON object. The field names are read by other tools;
 * keep them stable.
 */
final class RunResult {

    final String workload;
    final int parallelism;
    final int rounds;
    final long wallMs;
    final long netRuntimeMs;
    final double checksum;

    /** The job's runtime mode, {@code streaming} or {@code batch}. */
    String mode = "streaming";

    private final Map<String, Double> extra = new LinkedHashMap<>();

    RunResult(
            String workload,
            int parallelism,
            int rounds,
            long wallMs,
            long netRuntimeMs,
            double checksum) {
        this.workload = workload;
        this.parallelism = parallelism;
        this.rounds = rounds;
        this.wallMs = wallMs;
        this.netRuntimeMs = netRuntimeMs;
        this.checksum = checksum;
    }

    /** Sets the runtime mode the job ran in: {@code streaming} or {@code batch}. */
    RunResult inMode(String mode) {
        this.mode = mode;
        return this;
    }

    /** Adds a workload's own figure, written after the common fields. */
    RunResult with(String field, double value) {
        extra.put(field, value);
        return this;
    }

    String toJson() {
        StringBuilder extraFields = new StringBuilder();
        extra.forEach(
                (field, value) ->
                        extraFields
                                .append(", \"")
                                .append(field)
                                .append("\": ")
                                .append(Double.toString(value)));
        return String.format(
                Locale.ROOT,
                "{\"workload\": \"%s\", \"parallelism\": %d, \"rounds\": %d, \"wallMs\": %d,"
                        + " \"netRuntimeMs\": %d, \"checksum\": %s, \"flinkVersion\": \"%s\","
                        + " \"jvm\": \"%s\", \"commit\": \"%s\", \"mode\": \"%s\"%s}",
                workload,
                parallelism,
                rounds,
                wallMs,
                netRuntimeMs,
                Double.toString(checksum),
                EnvironmentInformation.getVersion(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                System.getProperty("benchmark.commit", "unknown"),
                mode,
                extraFields);
    }

    /** Appends this result as one line to {@code file}. */
    void appendTo(Path file) throws IOException {
        Files.writeString(
                file,
                toJson() + "\n",
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }
}
