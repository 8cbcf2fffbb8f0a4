package io.github.flinkiteration.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.examples.Blobs;
import io.github.flinkiteration.examples.TensorFlowTrainAndScore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The TensorFlow example ({@code TensorFlowTrainAndScore}: {@code TFEstimator.fit} and {@code
 * TFModel.transform} in one job) on a standalone cluster of two TaskManager JVMs, with tf-bridge
 * and TF Java on the cluster's classpath as in {@code lib/} and the examples' job jar (which leaves
 * them out) submitted from this JVM. Every scored row is bit for bit what the same job gives on a
 * local MiniCluster in this JVM (gradient descent, rows generated in order), the model has learnt
 * the blobs, and the trainers ran on both TaskManagers.
 */
class TensorFlowClusterIT {

    private static final int PARALLELISM = 4;
    private static final int ROWS = 4_000;
    private static final int EVENTS = 1_000;
    private static final int ROUNDS = 4;

    private static LocalFlinkCluster cluster;
    private static FlinkRestClient rest;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster =
                ClusterFixture.cluster("tensorflow-cluster-test")
                        // tf-bridge and its iteration runtime are on the classpath and in no job
                        // jar, the examples' jar holds the runtime too: one copy, the cluster's.
                        .setting(
                                "classloader.parent-first-patterns.additional",
                                "io.github.flinkiteration.api;io.github.flinkiteration.runtime;"
                                        + "io.github.flinkiteration.tf;org.tensorflow;org.bytedeco")
                        .start();
        rest = new FlinkRestClient(cluster.restAddress());
    }

    @AfterAll
    static void stopClusterAndCheckNoProcessIsLeft() throws Exception {
        ClusterFixture.stopLeavingNoProcess(cluster);
    }

    @Test
    void fitAndTransformOnTheClusterScoreLikeTheMiniClusterAndTrainOnBothTaskManagers()
            throws Exception {
        StreamExecutionEnvironment remote =
                StreamExecutionEnvironment.createRemoteEnvironment(
                        cluster.restAddress().getHost(),
                        cluster.restAddress().getPort(),
                        ClusterFixture.property("examples.job.jar"));
        remote.setParallelism(PARALLELISM);
        List<Row> onCluster = new ArrayList<>();
        JobClient job;
        try (CloseableIterator<Row> rows = trainAndScore(remote).collectAsync()) {
            job = remote.executeAsync("tf train and score on the cluster");
            rows.forEachRemaining(onCluster::add);
        }
        job.getJobExecutionResult().get();

        StreamExecutionEnvironment local = StreamExecutionEnvironment.createLocalEnvironment();
        local.setParallelism(PARALLELISM);
        List<Row> onMiniCluster = new ArrayList<>();
        try (CloseableIterator<Row> rows = trainAndScore(local).executeAndCollect()) {
            rows.forEachRemaining(onMiniCluster::add);
        }

        assertThat(onCluster).hasSize(EVENTS);
        // Row order depends on scheduling; the rows (features, label, probability, version) do not.
        assertThat(sorted(onCluster)).isEqualTo(sorted(onMiniCluster));
        long correct = onCluster.stream().filter(TensorFlowTrainAndScore::isCorrect).count();
        assertThat((double) correct / EVENTS).as("accuracy on the cluster").isGreaterThan(0.9);
        assertThat(taskManagersRunning(job.getJobID().toString(), "tf: train"))
                .as("TaskManagers that ran the trainers")
                .hasSize(2);
    }

    private static DataStream<Row> trainAndScore(StreamExecutionEnvironment env) {
        return TensorFlowTrainAndScore.trainAndScore(
                Blobs.stream(env, ROWS, 1), Blobs.stream(env, EVENTS, 2), ROUNDS);
    }

    private static List<String> sorted(List<Row> rows) {
        List<String> text = new ArrayList<>();
        rows.forEach(row -> text.add(row.toString()));
        text.sort(Comparator.naturalOrder());
        return text;
    }

    /** The TaskManagers on which subtasks of the vertices whose name contains {@code name} ran. */
    private static Set<String> taskManagersRunning(String jobId, String name) throws Exception {
        Set<String> taskManagers = new HashSet<>();
        for (JsonNode vertex : rest.get("/jobs/" + jobId).get("vertices")) {
            if (!vertex.get("name").asText().contains(name)) {
                continue;
            }
            String path =
                    "/jobs/" + jobId + "/vertices/" + vertex.get("id").asText() + "/taskmanagers";
            for (JsonNode taskManager : rest.get(path).get("taskmanagers")) {
                if (taskManager.get("status-counts").get("FINISHED").asInt() > 0) {
                    taskManagers.add(taskManager.get("taskmanager-id").asText());
                }
            }
        }
        return taskManagers;
    }
}
