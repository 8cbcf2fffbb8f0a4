package io.github.flinkiteration.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the standalone cluster's integration tests share: a cluster of two TaskManagers with two
 * slots each, built from the classpath this module's pom writes, the examples' job jar, and a stop
 * that leaves no process behind.
 */
final class ClusterFixture {

    private ClusterFixture() {}

    /** A builder of the tests' cluster in the module's work directory. */
    static LocalFlinkCluster.Builder cluster() throws Exception {
        return cluster(Path.of(property("cluster.work.dir")));
    }

    /**
     * A builder of the tests' cluster in {@code workDir}, a sibling of the module's work directory:
     * a test class of its own, since the previous class's cluster may still be stopping.
     */
    static LocalFlinkCluster.Builder cluster(String workDir) throws Exception {
        return cluster(Path.of(property("cluster.work.dir")).resolveSibling(workDir));
    }

    private static LocalFlinkCluster.Builder cluster(Path workDir) throws Exception {
        String classpath =
                Files.readString(
                                Path.of(property("cluster.classpath.file")), StandardCharsets.UTF_8)
                        .trim();
        return LocalFlinkCluster.builder(workDir, classpath).taskManagers(2).slotsPerTaskManager(2);
    }

    /** Uploads the examples' job jar; returns its id. */
    static String uploadExamples(FlinkRestClient rest) throws Exception {
        return rest.uploadJar(Path.of(property("examples.job.jar")));
    }

    /** Stops {@code cluster} (if it started) and checks that none of its processes is alive. */
    static void stopLeavingNoProcess(LocalFlinkCluster cluster) throws Exception {
        if (cluster == null) {
            return; // start() failed and has already stopped what it launched
        }
        List<ProcessHandle> processes = cluster.processes();
        try {
            cluster.stop();
        } finally {
            assertThat(processes)
                    .as("the cluster's processes after stop()")
                    .noneMatch(ProcessHandle::isAlive);
        }
    }

    static String property(String name) {
        String value = System.getProperty(name);
        assertThat(value).as("system property %s (set by this module's pom)", name).isNotNull();
        return value;
    }
}
