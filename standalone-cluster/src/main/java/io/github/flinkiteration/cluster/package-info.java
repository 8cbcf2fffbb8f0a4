/**
 * A local Flink session cluster of separate JVMs, started from Flink's Maven artifacts since Maven
 * Central has no Flink 2 distribution. {@link LocalFlinkCluster} starts one JobManager and a number
 * of TaskManagers with the memory settings Flink's own scripts would compute ({@code
 * ResourceParameters}); {@link LocalClusterCommand} is what {@code start.sh} and {@code stop.sh}
 * call; {@code ProcessTrees} ends the processes with everything they started. See README.md,
 * section "A local cluster for trying it out".
 */
package io.github.flinkiteration.cluster;
