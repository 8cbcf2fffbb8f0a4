package io.github.flinkiteration.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.flinkiteration.examples.Centroids;
import io.github.flinkiteration.examples.KMeansData;
import io.github.flinkiteration.examples.KMeansReference;
import io.github.flinkiteration.examples.OnlineLogisticRegression;
import io.github.flinkiteration.examples.OnlineLogisticRegressionReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The examples' job jar on a real standalone Flink cluster: a JobManager and two TaskManagers with
 * two slots each, every one its own JVM, the jar uploaded and run through the REST API as a user
 * would. Results are checked against the plain-Java references; where subtasks ran is read from the
 * REST API's job details.
 *
 * <p>The cluster's logs stay in {@code target/cluster-test/log} for a look after a failure.
 */
class StandaloneClusterIT {

    private static final String K_MEANS = "io.github.flinkiteration.examples.KMeans";
    private static final String ONLINE_LOGISTIC_REGRESSION =
            "io.github.flinkiteration.examples.OnlineLogisticRegression";
    private static final int ROUNDS = 20;

    /** Long enough for any healthy run on a busy machine; only a hung job reaches it. */
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(5);

    private static final String CHECKSUM_PREFIX = "checksum: ";

    private static LocalFlinkCluster cluster;
    private static FlinkRestClient rest;
    private static String jarId;

    @BeforeAll
    static void startClusterAndUploadJobJar() throws Exception {
        cluster = ClusterFixture.cluster().start();
        rest = new FlinkRestClient(cluster.restAddress());
        jarId = ClusterFixture.uploadExamples(rest);
    }

    @AfterAll
    static void stopClusterAndCheckNoProcessIsLeft() throws Exception {
        ClusterFixture.stopLeavingNoProcess(cluster);
    }

    @Test
    void jobManagerAndBothTaskManagersAreSeparateJvms() throws Exception {
        Map<String, ProcessHandle> jvms = cluster.jvms();
        assertThat(jvms).containsOnlyKeys("jobmanager", "taskmanager-1", "taskmanager-2");
        assertThat(jvms.values().stream().map(ProcessHandle::pid).distinct())
                .hasSize(3)
                .doesNotContain(ProcessHandle.current().pid());
        for (ProcessHandle jvm : jvms.values()) {
            assertThat(jvm.isAlive()).isTrue();
            assertThat(jvm.info().command())
                    .hasValueSatisfying(c -> assertThat(c).endsWith("java"));
        }
        assertThat(registeredTaskManagers())
                .containsExactlyInAnyOrder("taskmanager-1", "taskmanager-2");
    }

    @Test
    void kMeansAtParallelismFourEqualsThePlainJavaReferenceAndRunsOnBothTaskManagers(
            @TempDir Path results) throws Exception {
        Path output = results.resolve("k-means.txt");
        String jobId =
                runToCompletion(
                        K_MEANS,
                        4,
                        "--output",
                        output.toString(),
                        "--rounds",
                        String.valueOf(ROUNDS),
                        "--points",
                        String.valueOf(KMeansData.DEFAULT_POINTS));

        Centroids expected = KMeansReference.centroids(KMeansData.DEFAULT_POINTS, ROUNDS);
        List<String> report = Files.readAllLines(output, StandardCharsets.UTF_8);
        Centroids actual = ExampleReports.centroids(report);
        assertThat(actual.values).hasSameDimensionsAs(expected.values);
        for (int i = 0; i < expected.values.length; i++) {
            for (int j = 0; j < expected.values[i].length; j++) {
                assertThat(actual.values[i][j])
                        .as("centroid %d, coordinate %d", i, j)
                        .isCloseTo(expected.values[i][j], within(1e-9));
            }
        }
        String lastLine = report.isEmpty() ? "" : report.get(report.size() - 1);
        assertThat(lastLine).startsWith(CHECKSUM_PREFIX);
        double checksum = Double.parseDouble(lastLine.substring(CHECKSUM_PREFIX.length()));
        assertThat(checksum).isCloseTo(expected.checksum(), within(1e-6));

        // The body operator runs at parallelism 4 in the cluster's 4 slots: 2 on each TaskManager.
        Map<String, Integer> assignSubtasks =
                finishedSubtasksPerTaskManager(jobId, "assign points");
        assertThat(assignSubtasks.keySet())
                .containsExactlyInAnyOrderElementsOf(registeredTaskManagers());
        assertThat(assignSubtasks.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(4);
    }

    @Test
    void onlineLogisticRegressionAtParallelismFourEqualsThePlainJavaReferenceAndEndsByItself(
            @TempDir Path results) throws Exception {
        int batches = 30;
        int batchSize = 1_000;
        Path output = results.resolve("models.txt");
        // Half a batch more: the incomplete last batch is not trained on.
        String jobId =
                runToCompletion(
                        ONLINE_LOGISTIC_REGRESSION,
                        4,
                        "--output",
                        output.toString(),
                        "--points",
                        String.valueOf(batches * batchSize + batchSize / 2),
                        "--batch",
                        String.valueOf(batchSize));

        List<double[]> expected =
                OnlineLogisticRegressionReference.weights(
                        batches, batchSize, OnlineLogisticRegression.LEARNING_RATE);
        Map<Long, double[]> versions =
                ExampleReports.modelVersions(Files.readAllLines(output, StandardCharsets.UTF_8));
        assertThat(versions.keySet())
                .containsExactlyElementsOf(
                        LongStream.rangeClosed(1, batches).boxed().collect(Collectors.toList()));
        List<double[]> actual = new ArrayList<>(versions.values());
        for (int v = 0; v < batches; v++) {
            assertThat(actual.get(v)).hasSameSizeAs(expected.get(v));
            for (int j = 0; j < expected.get(v).length; j++) {
                assertThat(actual.get(v)[j])
                        .as("weight %d of version %d", j, v + 1)
                        .isCloseTo(expected.get(v)[j], within(1e-9));
            }
        }

        // The trainers run at parallelism 4 in the cluster's 4 slots: 2 on each TaskManager.
        Map<String, Integer> trainerSubtasks =
                finishedSubtasksPerTaskManager(jobId, "mini-batch gradients");
        assertThat(trainerSubtasks.keySet())
                .containsExactlyInAnyOrderElementsOf(registeredTaskManagers());
        assertThat(trainerSubtasks.values().stream().mapToInt(Integer::intValue).sum())
                .isEqualTo(4);
    }

    /**
     * Runs {@code entryClass} of the job jar at {@code parallelism} and waits for its job to end.
     *
     * @return the job's id, once the job has finished
     */
    private static String runToCompletion(String entryClass, int parallelism, String... args)
            throws Exception {
        String jobId = rest.runJar(jarId, entryClass, parallelism, List.of(args));
        JsonNode job = rest.awaitTermination(jobId, JOB_TIMEOUT);
        if (!job.get("state").asText().equals("FINISHED")) {
            throw new AssertionError(
                    entryClass
                            + " ended "
                            + job.get("state")
                            + "; exceptions: "
                            + rest.get("/jobs/" + jobId + "/exceptions")
                            + "; logs in "
                            + cluster.logDirectory());
        }
        return jobId;
    }

    /** TaskManager id to the number of finished subtasks of the job's vertex named {@code name}. */
    private static Map<String, Integer> finishedSubtasksPerTaskManager(String jobId, String name)
            throws Exception {
        JsonNode vertex = null;
        for (JsonNode candidate : rest.get("/jobs/" + jobId).get("vertices")) {
            if (candidate.get("name").asText().equals(name)) {
                vertex = candidate;
            }
        }
        assertThat(vertex).as("vertex '%s' of job %s", name, jobId).isNotNull();
        String path = "/jobs/" + jobId + "/vertices/" + vertex.get("id").asText() + "/taskmanagers";
        Map<String, Integer> finished = new HashMap<>();
        for (JsonNode taskManager : rest.get(path).get("taskmanagers")) {
            int count = taskManager.get("status-counts").get("FINISHED").asInt();
            if (count > 0) {
                finished.merge(taskManager.get("taskmanager-id").asText(), count, Integer::sum);
            }
        }
        return finished;
    }

    private static List<String> registeredTaskManagers() throws Exception {
        List<String> ids = new ArrayList<>();
        for (JsonNode taskManager : rest.get("/taskmanagers").get("taskmanagers")) {
            ids.add(taskManager.get("id").asText());
        }
        return ids;
    }
}
