#!/usr/bin/env bash
# Runs every workload RUNS times (default 5), each run in a fresh JVM, cycling through all
# configurations on every pass so that a noisy spell on the machine hits them alike; then prints
# min / median / max and the figures of ../shared/BENCHMARKS.md.
#
#   benchmarks/run.sh [RUNS] [OUT.jsonl]
#
# Build first: mvn -q -pl benchmarks -am package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${1:-5}"
out="${2:-benchmarks/target/results-$(date +%Y%m%d-%H%M%S).jsonl}"
jar=benchmarks/target/benchmarks.jar
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
[ -f "$jar" ] || { echo "missing $jar: mvn -q -pl benchmarks -am package -DskipTests" >&2; exit 1; }

# workload parallelism rounds [mode]; each derived figure compares the largest and the smallest
# round count of one workload, parallelism and mode (W4 measures itself in every run: its rounds are
# ignored). The mode is streaming unless given; W1-W3 also run in Flink's BATCH mode.
configs=(
  "w1 1 1" "w1 1 1000"
  "w1 2 1" "w1 2 1000"
  "w2 2 1" "w2 2 20"
  "w3 2 1" "w3 2 50"
  "w3-chain 2 1" "w3-chain 2 50"
  "w4 2 0"
  "w1 2 1 batch" "w1 2 1000 batch"
  "w2 2 1 batch" "w2 2 20 batch"
  "w3 2 1 batch" "w3 2 50 batch"
  "w6 2 0"
  "w7 2 1" "w7 2 20"
  "w5-session 1 10" "w5-session 2 10" "w5 1 10" "w5 2 10"
)

for ((pass = 1; pass <= runs; pass++)); do
  for config in "${configs[@]}"; do
    read -r workload parallelism rounds mode <<<"$config"
    mode="${mode:-streaming}"
    echo "pass $pass/$runs: $workload p=$parallelism rounds=$rounds $mode" >&2
    # W5: TF's native library is unpacked once per machine (as in tf-bridge's tests).
    TF_CPP_MIN_LOG_LEVEL=2 java -Xmx4g -Dbenchmark.commit="$commit" \
      -Dorg.bytedeco.javacpp.cachedir="$HOME/.javacpp/cache" -jar "$jar" "$workload" \
      --parallelism "$parallelism" --rounds "$rounds" --mode "$mode" --json "$out" >/dev/null
  done
done

echo "results: $out"
java -jar "$jar" summarize "$out"
