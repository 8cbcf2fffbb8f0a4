package io.github.flinkiteration.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.examples.CirculatingSums;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adaptive scheduler losing one of two TaskManagers: an unbounded iteration runs at parallelism
 * 4 on two TaskManagers with two slots each, one TaskManager gets SIGKILL and no other takes its
 * place, and the scheduler restarts the job from its last checkpoint at parallelism 2, which the
 * iteration rescales to (docs/failure-semantics.md §7). The job ends with the plain-Java result.
 */
class AdaptiveSchedulerIT {

    private static final String CIRCULATING_SUMS =
            "io.github.flinkiteration.examples.CirculatingSums";
    private static final String HEAD = "Iteration head [events]";
    private static final int EVENTS = 64;
    private static final int HOPS = 200;
    private static final int KEYS = 16;

    /** Long enough for any healthy run on a busy machine; only a hung job reaches it. */
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(5);

    private static final Duration CHECKPOINT_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);

    private static LocalFlinkCluster cluster;
    private static FlinkRestClient rest;
    private static String jarId;

    @BeforeAll
    static void startClusterAndUploadJobJar() throws Exception {
        cluster =
                ClusterFixture.cluster("adaptive-scheduler-test")
                        .setting("jobmanager.scheduler", "adaptive")
                        // Restart with the slots that are left soon, not after the default 10 s.
                        .setting(
                                "jobmanager.adaptive-scheduler.resource-stabilization-timeout",
                                "2 s")
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
    void anUnboundedIterationGoesOnAtLowerParallelismWithTheReferenceResult(@TempDir Path dir)
            throws Exception {
        Path output = dir.resolve("sums.txt");
        Path checkpoints = dir.resolve("checkpoints");
        String jobId =
                rest.runJar(
                        jarId,
                        CIRCULATING_SUMS,
                        4,
                        List.of(
                                "--events",
                                String.valueOf(EVENTS),
                                "--hops",
                                String.valueOf(HOPS),
                                "--keys",
                                String.valueOf(KEYS),
                                // Events keep going round for about 10 s at parallelism 4.
                                "--hop-pause-ms",
                                "3",
                                "--output",
                                output.toString(),
                                "--checkpoint-dir",
                                checkpoints.toUri().toString(),
                                "--checkpoint-interval-ms",
                                "300"));
        assertThat(headParallelism(jobId)).isEqualTo(4);
        long checkpointBeforeKill = awaitCompletedCheckpointWhileRunning(jobId);
        String victim = cluster.taskManagerIds().get(0);
        cluster.killTaskManager(victim);
        System.out.printf(
                "circulating sums: killed %s after checkpoint %d%n", victim, checkpointBeforeKill);

        JsonNode job = rest.awaitTermination(jobId, JOB_TIMEOUT);
        JsonNode exceptions = rest.get("/jobs/" + jobId + "/exceptions");
        assertThat(job.get("state").asText())
                .as(
                        "state of %s; exceptions: %s; logs in %s",
                        jobId, exceptions, cluster.logDirectory())
                .isEqualTo("FINISHED");
        assertThat(exceptions.get("exceptionHistory").get("entries"))
                .as("failures of %s", jobId)
                .isNotEmpty();
        assertThat(headParallelism(jobId)).as("parallelism after the loss").isEqualTo(2);
        JsonNode restored =
                rest.get("/jobs/" + jobId + "/checkpoints").get("latest").get("restored");
        assertThat(restored).as("the checkpoint that job %s restored", jobId).isNotNull();
        assertThat(restored.get("id").asLong()).isGreaterThanOrEqualTo(checkpointBeforeKill);

        // The restarted job writes the file anew, from the restored checkpoint on; every key still
        // had events going round then. Sums only grow, so the largest per key is the last.
        Map<Long, Long> last = new TreeMap<>();
        for (String line : Files.readAllLines(output, StandardCharsets.UTF_8)) {
            String[] parts = line.split(" ");
            last.merge(Long.parseLong(parts[0]), Long.parseLong(parts[1]), Math::max);
        }
        assertThat(last).isEqualTo(CirculatingSums.expectedSums(EVENTS, HOPS, KEYS));
    }

    private static int headParallelism(String jobId) throws Exception {
        for (JsonNode vertex : rest.get("/jobs/" + jobId).get("vertices")) {
            if (vertex.get("name").asText().startsWith(HEAD)) {
                return vertex.get("parallelism").asInt();
            }
        }
        throw new AssertionError("Job " + jobId + " has no vertex '" + HEAD + "'");
    }

    /** Waits until the job is RUNNING with a completed checkpoint; returns the latest one's id. */
    private static long awaitCompletedCheckpointWhileRunning(String jobId) throws Exception {
        long deadline = System.nanoTime() + CHECKPOINT_TIMEOUT.toNanos();
        while (true) {
            String state = rest.get("/jobs/" + jobId).get("state").asText();
            JsonNode completed =
                    rest.get("/jobs/" + jobId + "/checkpoints").get("latest").get("completed");
            if (state.equals("RUNNING") && completed != null && !completed.isNull()) {
                return completed.get("id").asLong();
            }
            if (!state.equals("RUNNING")
                            && !state.equals("CREATED")
                            && !state.equals("INITIALIZING")
                    || System.nanoTime() > deadline) {
                throw new AssertionError(
                        "Job "
                                + jobId
                                + " is "
                                + state
                                + " without a completed checkpoint; logs in "
                                + cluster.logDirectory());
            }
            Thread.sleep(POLL_INTERVAL.toMillis());
        }
    }
}
