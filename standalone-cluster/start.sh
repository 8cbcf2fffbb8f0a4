#!/usr/bin/env bash
# Starts a local Flink 2.3 session cluster: one JobManager and two TaskManagers with two slots
# each, every one its own JVM, built from Maven artifacts only. Returns once both TaskManagers
# have registered and leaves the cluster running; stop it with stop.sh beside this script.
#
#   standalone-cluster/start.sh [REST_PORT]     (default 8081)
#
# Web UI and REST API: http://localhost:REST_PORT. Logs: standalone-cluster/target/cluster/log.
# Also builds the job jar iteration-examples/target/iteration-examples-*-job.jar.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -pl standalone-cluster -am package -DskipTests
cd standalone-cluster
exec java -cp target/classes io.github.flinkiteration.cluster.LocalClusterCommand start \
  --work-dir target/cluster --classpath-file target/flink-classpath.txt --rest-port "${1:-8081}"
