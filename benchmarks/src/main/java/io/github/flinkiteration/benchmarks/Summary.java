package io.github.flinkiteration.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the JSON lines of many runs and prints, per workload, parallelism and round count, the min
 * / median / max net runtime, then the figures BENCHMARKS.md compares: W1 ms per round, W2 ms per
 * extra round, W3 records per second through the feedback edge, each from the medians of the
 * smallest and largest round counts measured, next to the target and the figures BENCHMARKS.md
 * gives for Apache flink-ml's iteration and Flink's DataSet bulk iteration.
 */
final class Summary {

    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\": (\"[^\"]*\"|[-0-9.eE]+)");

    private static final String BATCH = "batch";

    private static final String RECORDS = "records=";

    private Summary() {}

    static void print(Path file, PrintStream out) throws IOException {
        Map<String, Map<Integer, Map<Integer, List<Long>>>> runs = new TreeMap<>();
        Map<String, Double> checksums = new TreeMap<>();
        Map<Integer, List<Map<String, String>>> onlineRuns = new TreeMap<>();
        Map<String, List<Map<String, String>>> tensorFlowRuns = new TreeMap<>();
        Map<Integer, List<Map<String, String>>> componentRuns = new TreeMap<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank()) {
                continue;
            }
            Map<String, String> fields = parse(line);
            if (fields.get("workload").equals("w4")) {
                onlineRuns
                        .computeIfAbsent(
                                Integer.parseInt(fields.get("parallelism")), p -> new ArrayList<>())
                        .add(fields);
            }
            if (fields.get("workload").startsWith("w5")) {
                String parallelism = fields.get("parallelism");
                String key =
                        fields.get("workload").equals("w5")
                                ? "p=" + parallelism
                                : parallelism.equals("1") ? "session" : parallelism + " sessions";
                tensorFlowRuns.computeIfAbsent(key, k -> new ArrayList<>()).add(fields);
            }
            if (fields.get("workload").equals("w6")) {
                componentRuns
                        .computeIfAbsent(
                                Integer.parseInt(fields.get("parallelism")), p -> new ArrayList<>())
                        .add(fields);
            }
            // Runs in BATCH mode are a configuration of their own, e.g. "w1 batch"; so are W3 runs
            // with other than the default records per round, e.g. "w3 records=20000000".
            String records = fields.get("records");
            String workload =
                    fields.get("workload")
                            + (BATCH.equals(fields.get("mode")) ? " " + BATCH : "")
                            + (records == null || Long.parseLong(records) == Workloads.W3_RECORDS
                                    ? ""
                                    : " " + RECORDS + records);
            int parallelism = Integer.parseInt(fields.get("parallelism"));
            int rounds = Integer.parseInt(fields.get("rounds"));
            runs.computeIfAbsent(workload, w -> new TreeMap<>())
                    .computeIfAbsent(parallelism, p -> new TreeMap<>())
                    .computeIfAbsent(rounds, r -> new ArrayList<>())
                    .add(Long.parseLong(fields.get("netRuntimeMs")));
            checksums.put(
                    workload + " p=" + parallelism + " rounds=" + rounds,
                    Double.parseDouble(fields.get("checksum")));
        }

        out.println("workload  p  rounds  runs  net ms min / median / max   checksum");
        runs.forEach(
                (workload, byParallelism) ->
                        byParallelism.forEach(
                                (parallelism, byRounds) ->
                                        byRounds.forEach(
                                                (rounds, times) ->
                                                        out.printf(
                                                                Locale.ROOT,
                                                                "%-8s %2d %7d %5d  %6d / %6d / %6d   %s%n",
                                                                workload,
                                                                parallelism,
                                                                rounds,
                                                                times.size(),
                                                                Collections.min(times),
                                                                median(times),
                                                                Collections.max(times),
                                                                checksums.get(
                                                                        workload
                                                                                + " p="
                                                                                + parallelism
                                                                                + " rounds="
                                                                                + rounds)))));
        out.println();
        runs.forEach(
                (workload, byParallelism) ->
                        byParallelism.forEach(
                                (parallelism, byRounds) ->
                                        derived(workload, parallelism, byRounds, checksums, out)));
        onlineRuns.forEach((parallelism, w4) -> online(parallelism, w4, out));
        componentRuns.forEach((parallelism, w6) -> components(parallelism, w6, out));
        tensorFlow(tensorFlowRuns, out);
    }

    /**
     * W5: rows per second, time per round and final loss (medians over the runs) of the training at
     * each parallelism, of one plain TF session and of several sessions at once ({@code w5-session
     * --parallelism N}, this machine's ceiling for N trainers); for all but the one session, the
     * share of N times the one session's rate (goal at least 80 % for the training at p = 2).
     */
    private static void tensorFlow(Map<String, List<Map<String, String>>> runs, PrintStream out) {
        List<Map<String, String>> session = runs.get("session");
        double sessionRate = session == null ? Double.NaN : medianOf(session, "rowsPerSecond");
        runs.forEach(
                (key, w5) -> {
                    double rate = medianOf(w5, "rowsPerSecond");
                    String share = "";
                    if (!key.equals("session") && session != null) {
                        int parallelism =
                                Integer.parseInt(
                                        key.startsWith("p=")
                                                ? key.substring(2)
                                                : key.substring(0, key.indexOf(' ')));
                        share =
                                String.format(
                                        Locale.ROOT,
                                        ", %.0f %% of %d x one session (goal >= 80 %% at p=2)",
                                        100 * rate / (parallelism * sessionRate),
                                        parallelism);
                    }
                    out.printf(
                            Locale.ROOT,
                            "W5 %s: %.0f rows/s, %.1f ms per round, final loss %.4f, CPU of the"
                                    + " timed rounds %.0f ms in the trainers, %.0f ms in the JVM,"
                                    + " %d runs%s%n",
                            key,
                            rate,
                            medianOf(w5, "msPerRound"),
                            medianOf(w5, "finalLoss"),
                            medianOfPresent(w5, "trainerCpuMs"),
                            medianOfPresent(w5, "processCpuMs"),
                            w5.size(),
                            share);
                });
    }

    /** W4's figures come from each run itself: medians over the runs. */
    private static void online(int parallelism, List<Map<String, String>> runs, PrintStream out) {
        out.printf(
                Locale.ROOT,
                "W4 p=%d: %.2f million records/s (target >= 1.5; flink-ml 0.66, iterate 0.79),"
                        + " latency p50 / p99 %.2f / %.2f ms (target <= 1 / 5; flink-ml 73 / 150,"
                        + " iterate 47 / 101), accuracy %.4f, %d runs%n",
                parallelism,
                medianOf(runs, "recordsPerSecond") / 1e6,
                medianOf(runs, "latencyP50Ms"),
                medianOf(runs, "latencyP99Ms"),
                medianOf(runs, "accuracy"),
                runs.size());
    }

    /** W6 is measured whole: the median net runtime, with the checksum of the last run. */
    private static void components(
            int parallelism, List<Map<String, String>> runs, PrintStream out) {
        Map<String, String> last = runs.get(runs.size() - 1);
        out.printf(
                Locale.ROOT,
                "W6 p=%d: %.2f s net runtime of connected components (target <= 5; DataSet 26.0,"
                        + " plain Java 1.23); %s components, label sum %.0f (plain Java 162481,"
                        + " 86436333693), %d runs%n",
                parallelism,
                medianOf(runs, "netRuntimeMs") / 1000,
                last.get("components"),
                Double.parseDouble(last.get("checksum")),
                runs.size());
    }

    /** The median over the runs that have {@code field} (older lines lack it); NaN if none. */
    private static double medianOfPresent(List<Map<String, String>> runs, String field) {
        List<Map<String, String>> present = new ArrayList<>();
        for (Map<String, String> run : runs) {
            if (run.containsKey(field)) {
                present.add(run);
            }
        }
        return present.isEmpty() ? Double.NaN : medianOf(present, field);
    }

    private static double medianOf(List<Map<String, String>> runs, String field) {
        List<Double> values = new ArrayList<>();
        for (Map<String, String> run : runs) {
            values.add(Double.parseDouble(run.get(field)));
        }
        Collections.sort(values);
        int n = values.size();
        return n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
    }

    private static void derived(
            String workload,
            int parallelism,
            Map<Integer, List<Long>> byRounds,
            Map<String, Double> checksums,
            PrintStream out) {
        if (byRounds.size() < 2) {
            return;
        }
        int low = Collections.min(byRounds.keySet());
        int high = Collections.max(byRounds.keySet());
        double extraMs = median(byRounds.get(high)) - median(byRounds.get(low));
        int extraRounds = high - low;
        List<String> label = List.of(workload.split(" "));
        boolean batch = label.contains(BATCH);
        long records = Workloads.W3_RECORDS;
        for (String part : label) {
            if (part.startsWith(RECORDS)) {
                records = Long.parseLong(part.substring(RECORDS.length()));
            }
        }
        String mode =
                (batch ? " BATCH" : "")
                        + (records == Workloads.W3_RECORDS ? "" : " " + RECORDS + records);
        switch (label.get(0)) {
            case "w1":
                out.printf(
                        Locale.ROOT,
                        "W1%s p=%d: %.3f ms per round (target <= %.2f; flink-ml %.2f, DataSet %.2f)%n",
                        mode,
                        parallelism,
                        extraMs / extraRounds,
                        parallelism == 1 ? 0.10 : 0.15,
                        parallelism == 1 ? 0.72 : 1.06,
                        parallelism == 1 ? 0.20 : 0.37);
                break;
            case "w2":
                out.printf(
                        Locale.ROOT,
                        "W2%s p=%d: %.2f ms per extra round (target <= 5; flink-ml 9.4, DataSet 62)%n",
                        mode,
                        parallelism,
                        extraMs / extraRounds);
                break;
            case "w3":
                double recordsPerSecond = extraRounds * (double) records / (extraMs / 1000.0);
                out.printf(
                        Locale.ROOT,
                        "W3%s p=%d: %.1f million records/s through the feedback edge"
                                + " (target >= 40; flink-ml 5.3, DataSet 26)%n",
                        mode,
                        parallelism,
                        recordsPerSecond / 1e6);
                break;
            case "w7":
                out.printf(
                        Locale.ROOT,
                        "W7 p=%d: %.1f ms per extra round of PageRank (target <= 100; DataSet"
                                + " 3,465, plain Java 35); checksum after %d rounds %.11f"
                                + " (plain Java 499.12222071062 after 20)%n",
                        parallelism,
                        extraMs / extraRounds,
                        high,
                        checksums.getOrDefault(
                                workload + " p=" + parallelism + " rounds=" + high, Double.NaN));
                break;
            case "w3-chain":
                out.printf(
                        Locale.ROOT,
                        "W3 floor%s p=%d: %.1f million record steps/s through chained maps, no"
                                + " iteration%n",
                        mode,
                        parallelism,
                        extraRounds * (double) records / (extraMs / 1000.0) / 1e6);
                break;
            default:
        }
    }

    static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static Map<String, String> parse(String line) {
        Map<String, String> fields = new TreeMap<>();
        Matcher matcher = FIELD.matcher(line);
        while (matcher.find()) {
            String value = matcher.group(2);
            fields.put(
                    matcher.group(1),
                    value.startsWith("\"") ? value.substring(1, value.length() - 1) : value);
        }
        return fields;
    }
}
