package io.github.flinkiteration.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.examples.CirculatingSums;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adaptive scheduler losing one of two TaskManagers: an iteration runs at parallelism 4 on two
 * TaskManagers with two slots each, one TaskManager gets SIGKILL and no other takes its place, and
 * the scheduler restarts the job from its last checkpoint at parallelism 2, which the iteration
 * rescales to (docs/failure-semantics.md §7). An unbounded iteration rescales from any checkpoint,
 * a bounded one built with rescalable checkpoints from its checkpoints, which fall between two
 * rounds. The job ends with the plain-Java result.
 */
class AdaptiveSchedulerIT {

    private static final String CIRCULATING_SUMS =
            "io.github.flinkiteration.examples.CirculatingSums";
    private static final String HEAD = "Iteration head [events]";
    private static final int EVENTS = 64;
    private static final int HOPS = 200;
    private static final int KEYS = 16;

    /** The rounds of the bounded iteration: one per hop and one for the events' first visit. */
    private static final int ROUNDS = 100;

    /** Long enough for any healthy run on a busy machine; only a hung job reaches it. */
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(5);

    private static final Duration CHECKPOINT_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration TASK_MANAGER_TIMEOUT = Duration.ofMinutes(2);
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

    /** Each test loses a TaskManager: the next one starts with two again, all slots free. */
    @BeforeEach
    void twoTaskManagersWithFreeSlots() throws Exception {
        while (cluster.taskManagerIds().size() < 2) {
            cluster.startTaskManager(TASK_MANAGER_TIMEOUT);
        }
        // The JobManager forgets a killed TaskManager only after its heartbeat timed out; until
        // then a new job could be given the dead one's slots.
        long deadline = System.nanoTime() + TASK_MANAGER_TIMEOUT.toNanos();
        while (true) {
            JsonNode overview = rest.get("/overview");
            if (overview.get("taskmanagers").asInt() == 2
                    && overview.get("slots-available").asInt() == 4) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "The cluster did not come back to two idle TaskManagers: " + overview);
            }
            Thread.sleep(POLL_INTERVAL.toMillis());
        }
    }

    @Test
    void anUnboundedIterationGoesOnAtLowerParallelismWithTheReferenceResult(@TempDir Path dir)
            throws Exception {
        // Events keep going round for about 10 s at parallelism 4.
        Map<Long, Long> last = runLosingATaskManager(dir, HOPS, 3);
        assertThat(last).isEqualTo(CirculatingSums.expectedSums(EVENTS, HOPS, KEYS));
    }

    /**
     * The same sums as a bounded iteration whose rounds are the hops, built with rescalable
     * checkpoints: every checkpoint falls between two rounds, so the job restarts from the latest
     * one at parallelism 2 and runs the remaining rounds there.
     */
    @Test
    void aBoundedIterationWithRescalableCheckpointsGoesOnAtLowerParallelism(@TempDir Path dir)
            throws Exception {
        // Rounds of some 60 ms at parallelism 4 (16 events a subtask, 4 ms each): about 6 s.
        Map<Long, Long> last = runLosingATaskManager(dir, ROUNDS - 1, 4, "--in-rounds");
        assertThat(last).isEqualTo(CirculatingSums.expectedSums(EVENTS, ROUNDS - 1, KEYS));
    }

    /**
     * Runs the circulating sums at parallelism 4, checkpointed to {@code dir}; kills one of the two
     * TaskManagers once a checkpoint has completed and starts none in its place. Checks that the
     * job restored a checkpoint taken no earlier and finished at parallelism 2; returns the last
     * sum per key that the job wrote.
     */
    private static Map<Long, Long> runLosingATaskManager(
            Path dir, int hops, int hopPauseMillis, String... extraArgs) throws Exception {
        Path output = dir.resolve("sums.txt");
        Path checkpoints = dir.resolve("checkpoints");
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--events",
                                String.valueOf(EVENTS),
                                "--hops",
                                String.valueOf(hops),
                                "--keys",
                                String.valueOf(KEYS),
                                "--hop-pause-ms",
                                String.valueOf(hopPauseMillis),
                                "--output",
                                output.toString(),
                                "--checkpoint-dir",
                                checkpoints.toUri().toString(),
                                "--checkpoint-interval-ms",
                                "300"));
        args.addAll(List.of(extraArgs));
        String jobId = rest.runJar(jarId, CIRCULATING_SUMS, 4, args);
        assertThat(headParallelism(jobId)).isEqualTo(4);
        long checkpointBeforeKill = awaitCompletedCheckpointWhileRunning(jobId);
        String victim = cluster.taskManagerIds().get(0);
        cluster.killTaskManager(victim);
        System.out.printf(
                "circulating sums %s: killed %s after checkpoint %d%n",
                args, victim, checkpointBeforeKill);

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
        return last;
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
