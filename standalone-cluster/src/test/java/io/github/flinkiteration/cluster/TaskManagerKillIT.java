package io.github.flinkiteration.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.flinkiteration.examples.Centroids;
import io.github.flinkiteration.examples.KMeansData;
import io.github.flinkiteration.examples.KMeansReference;
import io.github.flinkiteration.examples.OnlineLogisticRegression;
import io.github.flinkiteration.examples.OnlineLogisticRegressionReference;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TaskManager killed for real: the examples run checkpointed on a standalone cluster of two
 * TaskManagers, one TaskManager JVM gets SIGKILL ({@code kill -9}) while the loop runs, a new one
 * takes its place, and the job restores from its last checkpoint on disk and finishes with exactly
 * the result of the plain-Java reference.
 *
 * <p>"While the loop runs" is observed, not timed: the kill waits until the job is RUNNING and a
 * checkpoint has completed, and for k-means until its iteration started round 5 (its {@code
 * currentRound} metric); the round read right before the kill must be one in which the reference's
 * centroids still move. That the job really failed over is read from the REST API afterwards: its
 * exception history and the checkpoint it restored from. The cluster's logs stay in {@code
 * target/task-manager-kill-test/log}.
 */
class TaskManagerKillIT {

    private static final String K_MEANS = "io.github.flinkiteration.examples.KMeans";
    private static final String ONLINE_LOGISTIC_REGRESSION =
            "io.github.flinkiteration.examples.OnlineLogisticRegression";
    private static final int PARALLELISM = 4;
    private static final int CHECKPOINT_INTERVAL_MS = 300;

    /** Long enough for any healthy run on a busy machine; only a hung job reaches it. */
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(5);

    private static final Duration CHECKPOINT_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration TASK_MANAGER_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);

    /** The round after which k-means' TaskManager is killed: a few rounds into the run. */
    private static final int KILL_FROM_ROUND = 5;

    private static final Set<String> TERMINAL_STATES = Set.of("FINISHED", "FAILED", "CANCELED");

    private static LocalFlinkCluster cluster;
    private static FlinkRestClient rest;
    private static String jarId;

    @BeforeAll
    static void startClusterAndUploadJobJar() throws Exception {
        cluster =
                ClusterFixture.cluster("task-manager-kill-test")
                        // The JobManager gives up on the dead TaskManager's slots within seconds,
                        // not Flink's default 50 s, so the restarted job finds the new one soon.
                        .setting("heartbeat.interval", "1 s")
                        .setting("heartbeat.timeout", "15 s")
                        .start();
        rest = new FlinkRestClient(cluster.restAddress());
        jarId = ClusterFixture.uploadExamples(rest);
    }

    @AfterAll
    static void stopClusterAndCheckNoProcessIsLeft() throws Exception {
        ClusterFixture.stopLeavingNoProcess(cluster);
    }

    @Test
    void kMeansOf200RoundsSurvivesAKilledTaskManagerWithTheReferenceResult(@TempDir Path dir)
            throws Exception {
        int rounds = 200;
        int points = 50_000;
        // From centroids crowded in one blob, the centroids keep moving for 87 rounds on these
        // points; the pause after each round keeps those rounds long enough (about 9 s) to kill a
        // TaskManager among them, after the first checkpoint.
        Centroids initial = KMeansData.initialCentroidsInOneBlob();
        int settled = KMeansReference.roundsUntilSettled(points, initial, rounds);
        Path output = dir.resolve("k-means.txt");
        Run run =
                runWithTaskManagerKilled(
                        K_MEANS,
                        "assign points",
                        dir.resolve("checkpoints"),
                        KILL_FROM_ROUND,
                        "--output",
                        output.toString(),
                        "--rounds",
                        String.valueOf(rounds),
                        "--points",
                        String.valueOf(points),
                        "--start",
                        "one-blob",
                        "--round-pause-ms",
                        "100");
        // The checkpoint restored was taken before the kill, so in a round no later than this
        // one (plus the one the head may have started since the metric was read).
        assertThat(run.roundAtKill() + 1)
                .as("round of job %s when the TaskManager was killed", run.jobId())
                .isLessThan(settled);

        Centroids expected = KMeansReference.centroids(points, initial, rounds);
        Centroids actual =
                ExampleReports.centroids(Files.readAllLines(output, StandardCharsets.UTF_8));
        assertThat(actual.values)
                .as("centroids of job %s", run.jobId())
                .hasSameDimensionsAs(expected.values);
        for (int i = 0; i < expected.values.length; i++) {
            for (int j = 0; j < expected.values[i].length; j++) {
                assertThat(actual.values[i][j])
                        .as("centroid %d, coordinate %d", i, j)
                        .isCloseTo(expected.values[i][j], within(1e-9));
            }
        }
    }

    @Test
    void onlineLogisticRegressionSurvivesAKilledTaskManagerWithTheReferenceModels(@TempDir Path dir)
            throws Exception {
        // Enough batches that the job is still training when the first checkpoint completes,
        // even on a fast machine (about a million records a second here).
        int batches = 3_000;
        int batchSize = 1_000;
        Path output = dir.resolve("models.txt");
        String jobId =
                runWithTaskManagerKilled(
                                ONLINE_LOGISTIC_REGRESSION,
                                "mini-batch gradients",
                                dir.resolve("checkpoints"),
                                // Its rounds do not end while the points flow: no round to wait
                                // for.
                                -1,
                                "--output",
                                output.toString(),
                                // Half a batch more: the incomplete last batch is not trained on.
                                "--points",
                                String.valueOf(batches * batchSize + batchSize / 2),
                                "--batch",
                                String.valueOf(batchSize))
                        .jobId();

        // The restarted sink writes the file anew, from the first version after the restored
        // checkpoint: the versions must run without a gap up to the last, each the reference's.
        Map<Long, double[]> versions =
                ExampleReports.modelVersions(Files.readAllLines(output, StandardCharsets.UTF_8));
        assertThat(versions).as("model versions written by job %s", jobId).isNotEmpty();
        long first = versions.keySet().iterator().next();
        assertThat(versions.keySet())
                .containsExactlyElementsOf(
                        LongStream.rangeClosed(first, batches)
                                .boxed()
                                .collect(Collectors.toList()));
        List<double[]> expected =
                OnlineLogisticRegressionReference.weights(
                        batches, batchSize, OnlineLogisticRegression.LEARNING_RATE);
        for (Map.Entry<Long, double[]> version : versions.entrySet()) {
            double[] weights = expected.get((int) (version.getKey() - 1));
            assertThat(version.getValue()).hasSameSizeAs(weights);
            for (int j = 0; j < weights.length; j++) {
                assertThat(version.getValue()[j])
                        .as("weight %d of version %d", j, version.getKey())
                        .isCloseTo(weights[j], within(1e-9));
            }
        }
    }

    /** A job run with a TaskManager killed, and the round its iteration was in at the kill. */
    private record Run(String jobId, int roundAtKill) {}

    /**
     * Runs {@code entryClass} checkpointed into {@code checkpoints}, kills a TaskManager that runs
     * subtasks of the vertex {@code vertexName} once a checkpoint has completed and (if {@code
     * killFromRound} is not negative) the iteration has started round {@code killFromRound}, starts
     * a new one, and waits for the job to finish. Checks that the job failed over, restored a
     * checkpoint from {@code checkpoints} and ran to its end partly on the new TaskManager.
     */
    private static Run runWithTaskManagerKilled(
            String entryClass,
            String vertexName,
            Path checkpoints,
            int killFromRound,
            String... args)
            throws Exception {
        List<String> programArgs = new ArrayList<>(List.of(args));
        programArgs.addAll(
                List.of(
                        "--checkpoint-dir",
                        checkpoints.toUri().toString(),
                        "--checkpoint-interval-ms",
                        String.valueOf(CHECKPOINT_INTERVAL_MS)));
        String jobId = rest.runJar(jarId, entryClass, PARALLELISM, programArgs);

        long checkpointBeforeKill = awaitCompletedCheckpointWhileRunning(jobId);
        if (killFromRound >= 0) {
            awaitRound(jobId, killFromRound);
        }
        String victim = taskManagerRunning(jobId, vertexName);
        int roundAtKill = killFromRound >= 0 ? currentRound(jobId) : -1;
        cluster.killTaskManager(victim);
        String replacement = cluster.startTaskManager(TASK_MANAGER_TIMEOUT);
        System.out.printf(
                "%s: killed %s after checkpoint %d in round %d, started %s%n",
                entryClass, victim, checkpointBeforeKill, roundAtKill, replacement);

        JsonNode job = rest.awaitTermination(jobId, JOB_TIMEOUT);
        JsonNode exceptions = rest.get("/jobs/" + jobId + "/exceptions");
        assertThat(job.get("state").asText())
                .as(
                        "state of %s; exceptions: %s; logs in %s",
                        jobId, exceptions, cluster.logDirectory())
                .isEqualTo("FINISHED");

        JsonNode failures = exceptions.get("exceptionHistory").get("entries");
        assertThat(failures).as("failures in the exception history of %s", jobId).isNotEmpty();
        JsonNode restored =
                rest.get("/jobs/" + jobId + "/checkpoints").get("latest").get("restored");
        assertThat(restored).as("the checkpoint that job %s restored", jobId).isNotNull();
        assertThat(restored.get("is_savepoint").asBoolean()).isFalse();
        assertThat(restored.get("id").asLong()).isGreaterThanOrEqualTo(checkpointBeforeKill);
        assertThat(Path.of(URI.create(restored.get("external_path").asText())))
                .startsWithRaw(checkpoints);
        assertThat(taskManagersWithFinishedSubtasks(jobId, vertexName))
                .as("TaskManagers that ran '%s' to its end", vertexName)
                .contains(replacement)
                .doesNotContain(victim);
        System.out.printf(
                "%s: restored checkpoint %d; first failure: %s%n",
                entryClass, restored.get("id").asLong(), failures.get(0).get("exceptionName"));
        return new Run(jobId, roundAtKill);
    }

    /** Waits until the job's iteration has started round {@code round}. */
    private static void awaitRound(String jobId, int round) throws Exception {
        long deadline = System.nanoTime() + CHECKPOINT_TIMEOUT.toNanos();
        while (currentRound(jobId) < round) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "Job " + jobId + " did not reach round " + round + " in time");
            }
            Thread.sleep(POLL_INTERVAL.toMillis());
        }
    }

    /**
     * The round the iteration's heads last started: the lowest {@code currentRound} metric of the
     * head's subtasks (docs/watching-an-iteration.md), read through the REST API; -1 while none
     * reports it.
     */
    private static int currentRound(String jobId) throws Exception {
        for (JsonNode vertex : rest.get("/jobs/" + jobId).get("vertices")) {
            if (!vertex.get("name").asText().startsWith("Iteration head")) {
                continue;
            }
            String metrics =
                    "/jobs/" + jobId + "/vertices/" + vertex.get("id").asText() + "/metrics";
            List<String> ids = new ArrayList<>();
            for (JsonNode metric : rest.get(metrics)) {
                String id = metric.get("id").asText();
                if (id.endsWith(".currentRound")) {
                    ids.add(id);
                }
            }
            if (ids.isEmpty()) {
                return -1;
            }
            int lowest = Integer.MAX_VALUE;
            for (JsonNode value :
                    rest.get(
                            metrics
                                    + "?get="
                                    + URLEncoder.encode(
                                            String.join(",", ids), StandardCharsets.UTF_8))) {
                lowest = Math.min(lowest, (int) Double.parseDouble(value.get("value").asText()));
            }
            return lowest;
        }
        throw new AssertionError("Job " + jobId + " has no iteration head");
    }

    /**
     * Waits until the job is RUNNING with at least one completed checkpoint, and returns the id of
     * the latest one.
     */
    private static long awaitCompletedCheckpointWhileRunning(String jobId) throws Exception {
        long deadline = System.nanoTime() + CHECKPOINT_TIMEOUT.toNanos();
        while (true) {
            String state = rest.get("/jobs/" + jobId).get("state").asText();
            if (TERMINAL_STATES.contains(state)) {
                throw new AssertionError(
                        "Job "
                                + jobId
                                + " ended "
                                + state
                                + " before the kill: make the run longer (more rounds or points)"
                                + "; exceptions: "
                                + rest.get("/jobs/" + jobId + "/exceptions"));
            }
            JsonNode completed =
                    rest.get("/jobs/" + jobId + "/checkpoints").get("latest").get("completed");
            if (state.equals("RUNNING") && completed != null && !completed.isNull()) {
                return completed.get("id").asLong();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "Job "
                                + jobId
                                + " completed no checkpoint within "
                                + CHECKPOINT_TIMEOUT
                                + "; it is "
                                + state
                                + "; logs in "
                                + cluster.logDirectory());
            }
            Thread.sleep(POLL_INTERVAL.toMillis());
        }
    }

    /** A TaskManager that runs a subtask of the job's vertex {@code name} now. */
    private static String taskManagerRunning(String jobId, String name) throws Exception {
        for (JsonNode taskManager : vertexTaskManagers(jobId, name)) {
            if (taskManager.get("status-counts").get("RUNNING").asInt() > 0) {
                return taskManager.get("taskmanager-id").asText();
            }
        }
        throw new AssertionError("No TaskManager runs a subtask of '" + name + "' of " + jobId);
    }

    /** The TaskManagers on which subtasks of the job's vertex {@code name} finished. */
    private static List<String> taskManagersWithFinishedSubtasks(String jobId, String name)
            throws Exception {
        List<String> ids = new ArrayList<>();
        for (JsonNode taskManager : vertexTaskManagers(jobId, name)) {
            if (taskManager.get("status-counts").get("FINISHED").asInt() > 0) {
                ids.add(taskManager.get("taskmanager-id").asText());
            }
        }
        return ids;
    }

    private static JsonNode vertexTaskManagers(String jobId, String name) throws Exception {
        for (JsonNode vertex : rest.get("/jobs/" + jobId).get("vertices")) {
            if (vertex.get("name").asText().equals(name)) {
                String path =
                        "/jobs/"
                                + jobId
                                + "/vertices/"
                                + vertex.get("id").asText()
                                + "/taskmanagers";
                return rest.get(path).get("taskmanagers");
            }
        }
        throw new AssertionError("Job " + jobId + " has no vertex '" + name + "'");
    }
}
