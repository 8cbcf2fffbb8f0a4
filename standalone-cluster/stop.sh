#!/usr/bin/env bash
# Stops the cluster that start.sh started, waiting until its processes are gone.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d target/classes ]; then
  echo "Nothing to stop: standalone-cluster has not been built." >&2
  exit 0
fi
exec java -cp target/classes io.github.flinkiteration.cluster.LocalClusterCommand stop \
  --work-dir target/cluster
