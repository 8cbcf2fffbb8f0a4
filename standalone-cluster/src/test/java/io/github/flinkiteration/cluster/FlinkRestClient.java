package io.github.flinkiteration.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The calls of Flink's REST API that a user makes to run a jar on a session cluster: upload it, run
 * an entry class of it, follow the job. Answers are JSON trees.
 */
final class FlinkRestClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TERMINAL_STATES = Set.of("FINISHED", "FAILED", "CANCELED");
    private static final Duration POLL_INTERVAL = Duration.ofMillis(500);

    /** Running a jar includes its main method building the job in the JobManager. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(1);

    private final URI base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    FlinkRestClient(URI base) {
        this.base = base;
    }

    /** {@code POST /jars/upload}; returns the id that {@link #runJar} takes. */
    String uploadJar(Path jar) throws IOException, InterruptedException {
        String boundary = "----flink-iteration-" + UUID.randomUUID();
        String head =
                "--"
                        + boundary
                        + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                        + jar.getFileName()
                        + "\"\r\nContent-Type: application/java-archive\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        HttpRequest request =
                HttpRequest.newBuilder(base.resolve("/jars/upload"))
                        .timeout(REQUEST_TIMEOUT)
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(
                                HttpRequest.BodyPublishers.ofByteArrays(
                                        List.of(
                                                head.getBytes(StandardCharsets.UTF_8),
                                                Files.readAllBytes(jar),
                                                tail.getBytes(StandardCharsets.UTF_8))))
                        .build();
        // The answer names the stored file; its name is the jar's id.
        String stored = send(request).get("filename").asText();
        return stored.substring(stored.lastIndexOf('/') + 1);
    }

    /** {@code POST /jars/{id}/run}; returns the id of the job that the entry class submitted. */
    String runJar(String jarId, String entryClass, int parallelism, List<String> programArgs)
            throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("entryClass", entryClass);
        body.put("parallelism", parallelism);
        programArgs.forEach(body.putArray("programArgsList")::add);
        HttpRequest request =
                HttpRequest.newBuilder(base.resolve("/jars/" + jarId + "/run"))
                        .timeout(REQUEST_TIMEOUT)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                        .build();
        return send(request).get("jobid").asText();
    }

    /** {@code GET path}, for example {@code /jobs/ID}. */
    JsonNode get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(REQUEST_TIMEOUT).build());
    }

    /** {@code PATCH /jobs/{id}?mode=cancel}: asks for the job to be canceled. */
    void cancel(String jobId) throws IOException, InterruptedException {
        HttpRequest request =
                HttpRequest.newBuilder(base.resolve("/jobs/" + jobId + "?mode=cancel"))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody())
                        .timeout(REQUEST_TIMEOUT)
                        .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            throw new IOException(
                    "Canceling "
                            + jobId
                            + " answered "
                            + response.statusCode()
                            + ": "
                            + response.body());
        }
    }

    /**
     * Polls {@code /jobs/{id}} until the job is finished, failed or canceled, and returns its last
     * details.
     *
     * @throws IllegalStateException if that has not happened within {@code timeout}
     */
    JsonNode awaitTermination(String jobId, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode job = get("/jobs/" + jobId);
            if (TERMINAL_STATES.contains(job.get("state").asText())) {
                return job;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "Job " + jobId + " still " + job.get("state") + " after " + timeout);
            }
            Thread.sleep(POLL_INTERVAL.toMillis());
        }
    }

    private JsonNode send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(
                    request.method()
                            + " "
                            + request.uri()
                            + " answered "
                            + response.statusCode()
                            + ": "
                            + response.body());
        }
        return JSON.readTree(response.body());
    }
}
