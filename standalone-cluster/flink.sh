#!/usr/bin/env bash
# Flink's command-line client (what a distribution's bin/flink runs), pointed at the cluster that
# start.sh started. For example, from the repository root:
#
#   standalone-cluster/flink.sh run -p 4 -c io.github.flinkiteration.examples.KMeans \
#       iteration-examples/target/iteration-examples-0.1.0-SNAPSHOT-job.jar
#   standalone-cluster/flink.sh list
set -euo pipefail
module="$(cd "$(dirname "$0")" && pwd)"
conf="$module/target/cluster/conf"
if [ ! -f "$conf/config.yaml" ]; then
  echo "No cluster configuration in $conf: run start.sh first." >&2
  exit 1
fi
export FLINK_CONF_DIR="$conf"
# The client builds the job graph by reflection into java.util, as the JobManager does.
exec java --add-opens=java.base/java.util=ALL-UNNAMED \
  -cp "$(cat "$module/target/flink-classpath.txt")" org.apache.flink.client.cli.CliFrontend "$@"
