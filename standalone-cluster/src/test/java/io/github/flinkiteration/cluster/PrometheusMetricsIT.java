package io.github.flinkiteration.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone cluster's TaskManagers export their metrics through Flink's Prometheus reporter:
 * each one's endpoint answers a plain HTTP GET on the loopback address with Flink's metrics, and
 * while k-means runs, the iteration's {@code currentRound} gauge advances from one scrape to a
 * later one.
 */
class PrometheusMetricsIT {

    private static final String K_MEANS = "io.github.flinkiteration.examples.KMeans";

    /** The name KMeans gives its iteration: the {@code iteration} label of its metrics. */
    private static final String ITERATION = "kmeans";

    /** Only a cluster or job that hangs reaches it. */
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    private static final Duration SCRAPE_INTERVAL = Duration.ofMillis(500);

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static LocalFlinkCluster cluster;
    private static FlinkRestClient rest;
    private static String jarId;

    @BeforeAll
    static void startClusterAndUploadJobJar() throws Exception {
        cluster = ClusterFixture.cluster("prometheus-test").start();
        rest = new FlinkRestClient(cluster.restAddress());
        jarId = ClusterFixture.uploadExamples(rest);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        ClusterFixture.stopLeavingNoProcess(cluster);
    }

    @Test
    void everyTaskManagerServesFlinksMetricsOnItsOwnPort() throws Exception {
        for (Map.Entry<String, URI> taskManager : cluster.prometheusAddresses().entrySet()) {
            String id = taskManager.getKey();
            List<PrometheusSample> cpuLoad =
                    awaitSamples(
                            List.of(taskManager.getValue()),
                            s -> s.name.equals("flink_taskmanager_Status_JVM_CPU_Load"));
            assertThat(cpuLoad).as("the CPU load of %s", id).hasSize(1);
            // The reporter writes label values with '_' for characters such as '-' and ' '.
            assertThat(cpuLoad.get(0).labels).containsEntry("tm_id", id.replace('-', '_'));
        }
    }

    @Test
    void theKMeansIterationsCurrentRoundAdvancesFromScrapeToScrape(@TempDir Path results)
            throws Exception {
        // Rounds enough to outlast the scrapes, on few points so that rounds are short.
        String jobId =
                rest.runJar(
                        jarId,
                        K_MEANS,
                        4,
                        List.of(
                                "--output",
                                results.resolve("k-means.txt").toString(),
                                "--rounds",
                                "1000000",
                                "--points",
                                "1000"));
        try {
            List<URI> endpoints = new ArrayList<>(cluster.prometheusAddresses().values());
            Predicate<PrometheusSample> currentRound =
                    s ->
                            s.name.contains("currentRound")
                                    && ITERATION.equals(s.labels.get("iteration"));
            List<PrometheusSample> first = awaitSamples(endpoints, currentRound);
            assertThat(first)
                    .allSatisfy(
                            s ->
                                    assertThat(s.name)
                                            .isEqualTo(
                                                    "flink_taskmanager_job_task_operator"
                                                            + "_iteration_currentRound"));
            double firstRound = highest(first);
            List<PrometheusSample> later =
                    awaitSamples(endpoints, currentRound.and(s -> s.value > firstRound));
            assertThat(highest(later)).isGreaterThan(firstRound);
        } finally {
            rest.cancel(jobId);
            rest.awaitTermination(jobId, TIMEOUT);
        }
    }

    /**
     * Scrapes {@code endpoints} until some sample matches {@code wanted} and returns the matching
     * samples of that scrape.
     *
     * @throws AssertionError naming what was seen, if none matched within {@link #TIMEOUT}
     */
    private static List<PrometheusSample> awaitSamples(
            List<URI> endpoints, Predicate<PrometheusSample> wanted) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<PrometheusSample> iterationSamples = new ArrayList<>();
        while (true) {
            List<PrometheusSample> matching = new ArrayList<>();
            iterationSamples.clear();
            for (URI endpoint : endpoints) {
                for (PrometheusSample sample : PrometheusSample.parse(scrape(endpoint))) {
                    if (wanted.test(sample)) {
                        matching.add(sample);
                    }
                    if (sample.labels.containsKey("iteration")) {
                        iterationSamples.add(sample);
                    }
                }
            }
            if (!matching.isEmpty()) {
                return matching;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "No wanted sample in the scrapes of "
                                + endpoints
                                + " within "
                                + TIMEOUT
                                + "; samples with an iteration label: "
                                + iterationSamples);
            }
            Thread.sleep(SCRAPE_INTERVAL.toMillis());
        }
    }

    /** A plain HTTP GET of a TaskManager's Prometheus endpoint. */
    private static String scrape(URI endpoint) throws Exception {
        HttpRequest request =
                HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s", endpoint).isEqualTo(200);
        return response.body();
    }

    private static double highest(List<PrometheusSample> samples) {
        OptionalDouble max = samples.stream().mapToDouble(s -> s.value).max();
        return max.orElseThrow();
    }
}
