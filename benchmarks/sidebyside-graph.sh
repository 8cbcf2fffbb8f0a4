#!/usr/bin/env bash
# W6 and W7 side by side with Flink 1.20's DataSet iterations (../shared/anchors/dataset-1.20),
# which ../shared/anchors/sidebyside.sh does not cover: one fresh JVM per run, ours and DataSet
# alternating, the list reversed on every other pass.
# Run from the project root after `mvn -q -pl benchmarks -am package -DskipTests` and
# ../shared/anchors/build.sh.   Usage: benchmarks/sidebyside-graph.sh PASSES OUTFILE
set -u
ANCHORS=${ANCHORS:-$(pwd)/../shared/anchors}
PASSES=${1:-3}; OUT=${2:-sidebyside-graph-$(date +%Y%m%d-%H%M%S).txt}
JAR=$(pwd)/benchmarks/target/benchmarks.jar
[[ -f $JAR ]] || { echo "no $JAR"; exit 1; }
OPENS=""
for p in java.lang java.util java.nio sun.nio.ch java.lang.reflect java.io; do
  OPENS="$OPENS --add-opens=java.base/$p=ALL-UNNAMED"
done
DATASET="java -Xmx4g $OPENS -cp $ANCHORS/dataset-1.20/target/classes:$(cat "$ANCHORS/dataset-1.20/target/cp.txt") anchors.dataset.DataSetAnchors"
CASES=("ours w6 2 0" "dataset W6 2 100 taskmanager.memory.managed.size=512m"
  "ours w7 2 1" "dataset W7 2 1" "ours w7 2 20" "dataset W7 2 20")
echo "# $(date -u +%FT%TZ) commit=$(git rev-parse --short HEAD) nproc=$(nproc)" >> "$OUT"
json=$(mktemp)
for ((pass = 0; pass < PASSES; pass++)); do
  n=${#CASES[@]}
  for ((k = 0; k < n; k++)); do
    if ((pass % 2 == 0)); then c=${CASES[$k]}; else c=${CASES[$((n - 1 - k))]}; fi
    load=$(cut -d' ' -f1 /proc/loadavg)
    read -r who workload parallelism rounds extra <<<"$c"
    if [[ $who == ours ]]; then
      rm -f "$json"
      timeout 300 java -Xmx4g -jar "$JAR" "$workload" --parallelism "$parallelism" \
        --rounds "$rounds" --json "$json" >/dev/null 2>&1
      line="RESULT peer=ours $(tail -1 "$json" 2>/dev/null || echo FAILED)"
    else
      line=$(timeout 400 $DATASET "$workload" "$parallelism" "$rounds" $extra 2>&1 | grep '^RESULT')
      line=${line:-"RESULT FAILED dataset $workload $rounds"}
    fi
    echo "$line pass=$pass load1=$load" | tee -a "$OUT"
  done
done
rm -f "$json"
