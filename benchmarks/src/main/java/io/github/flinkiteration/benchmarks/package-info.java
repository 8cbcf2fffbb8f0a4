/**
 * The benchmarks' command line and the end-to-end workloads. {@link BenchmarkMain} runs one
 * workload (W1 to W4, each in a fresh MiniCluster, see {@code Workloads} and {@code
 * OnlineTrainingWorkload}; their results come back in accumulators, {@code AccumulatedResults}, as
 * the peers' harnesses read theirs), summarizes runs ({@code Summary}, from the JSON lines of
 * {@code RunResult}) or starts JMH. {@link ThreadWakeUpBenchmark} measures the machine's floor for
 * a hand-off between two threads. The other JMH benchmarks sit in packages named like the code they
 * measure, for package-private access. See docs/benchmarks.md, section "How to run".
 */
package io.github.flinkiteration.benchmarks;
