package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.ConvergenceCriterion;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.TerminationCondition;
import io.github.flinkiteration.api.UnboundedIteration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The metrics of heads, replays and checks, read from Flink's in-memory reporter after the job
 * finished, against rounds and record counts computed from each test's own inputs.
 */
class IterationMetricsTest {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            TestCluster.extension(REPORTER.addToConfiguration(new Configuration()));

    private static final int PARALLELISM = 2;
    private static final List<Integer> INITIAL = List.of(0, 3, 5, 10, 2, 7, 1, 4);

    @Test
    void maxRoundsShowsInEveryHeadSubtask() throws Exception {
        int maxRounds = 7;
        StreamExecutionEnvironment env = TestCluster.env(PARALLELISM);
        ResultStreams results =
                new BoundedIteration()
                        .name("seven-rounds")
                        .bindVariable("x", spread(env, INITIAL))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> x = inputs.get("x");
                                    return IterationDeclaration.builder()
                                            // A listener keeps the rounds held.
                                            .withFeedback(
                                                    "x",
                                                    x.map(new RoundDeciderTest.HearsRoundEnds<>())
                                                            .returns(Types.INT)
                                                            .map(v -> v + 1))
                                            .withOutput("x", x)
                                            .until(TerminationCondition.maxRounds(maxRounds))
                                            .build();
                                })
                        .apply();
        discard(results.get("x"));
        JobID job = env.execute().getJobID();

        Map<Integer, Map<String, Metric>> heads =
                metrics(job, "Iteration head [x]", "seven-rounds");
        assertThat(heads).containsOnlyKeys(0, 1);
        long fedBackInLastRound = 0;
        for (Map<String, Metric> head : heads.values()) {
            assertThat(count(head, "completedRounds")).isEqualTo(maxRounds);
            assertThat(value(head, "currentRound")).isEqualTo((long) maxRounds - 1);
            assertThat(value(head, "terminationReason")).isEqualTo("max-rounds");
            assertThat(((Histogram) head.get("roundDurationMs")).getCount()).isEqualTo(maxRounds);
            assertThat(value(head, "heldFeedbackRecords")).isEqualTo(0L);
            assertThat(value(head, "heldFeedbackBytes")).isEqualTo(0L);
            assertThat(head).doesNotContainKey("feedbackLagRounds");
            fedBackInLastRound += (Long) value(head, "feedbackRecordsLastRound");
        }
        // Every record is fed back in every round, also in the last one (then discarded).
        assertThat(fedBackInLastRound).isEqualTo(INITIAL.size());
    }

    @Test
    void noFeedbackAndTheConstantsCacheShowInTheirOperators() throws Exception {
        int limit = 9;
        List<Integer> constant = List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        StreamExecutionEnvironment env = TestCluster.env(PARALLELISM);
        // Subtask i of the replay caches the values v with v % 2 == i.
        DataStream<Integer> byParity =
                env.fromData(constant)
                        .map(v -> v)
                        .returns(Types.INT)
                        .partitionCustom((v, n) -> v % n, v -> v);
        ResultStreams results =
                new BoundedIteration()
                        .name("drains")
                        .bindVariable("x", spread(env, INITIAL))
                        .bindConstant("c", byParity)
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> x = inputs.get("x");
                                    DataStream<Integer> c = inputs.get("c");
                                    return IterationDeclaration.builder()
                                            .withFeedback(
                                                    "x", x.map(v -> v + 1).filter(v -> v < limit))
                                            .withOutput("c", c)
                                            .build();
                                })
                        .apply();
        discard(results.get("c"));
        JobID job = env.execute().getJobID();

        // Round r holds v + r for the v with v + r < limit; it stops after the first empty
        // feedback.
        int lastRound = 0;
        while (true) {
            int next = lastRound + 1;
            if (INITIAL.stream().noneMatch(v -> v + next < limit)) {
                break;
            }
            lastRound = next;
        }
        Map<Integer, Map<String, Metric>> heads = metrics(job, "Iteration head [x]", "drains");
        assertThat(heads).containsOnlyKeys(0, 1);
        for (Map<String, Metric> head : heads.values()) {
            assertThat(value(head, "terminationReason")).isEqualTo("no-feedback");
            assertThat(count(head, "completedRounds")).isEqualTo(lastRound + 1);
            assertThat(value(head, "currentRound")).isEqualTo((long) lastRound);
            assertThat(value(head, "feedbackRecordsLastRound")).isEqualTo(0L);
        }
        Map<Integer, Map<String, Metric>> replays =
                metrics(job, "Iteration constant [c]", "drains");
        assertThat(replays).containsOnlyKeys(0, 1);
        for (int subtask = 0; subtask < PARALLELISM; subtask++) {
            int i = subtask;
            long expected = constant.stream().filter(v -> v % PARALLELISM == i).count();
            Map<String, Metric> replay = replays.get(subtask);
            assertThat(value(replay, "cachedRecords")).isEqualTo(expected);
            assertThat((Long) value(replay, "cacheMemoryBytes")).isPositive();
            assertThat(value(replay, "cacheSpilledBytes")).isEqualTo(0L);
        }
    }

    @Test
    void convergenceCheckShowsTheSumItCompared() throws Exception {
        double tolerance = 0.05;
        List<Double> initial = List.of(64.0, 32.0, 16.0, 8.0);
        StreamExecutionEnvironment env = TestCluster.env(PARALLELISM);
        ResultStreams results =
                new BoundedIteration()
                        .name("halving")
                        .bindVariable("x", env.fromData(initial))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Double> x = inputs.get("x");
                                    DataStream<Double> next = x.map(v -> v / 2);
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", next)
                                            .withOutput("x", x)
                                            .until(
                                                    TerminationCondition.whenConverged(
                                                            next,
                                                            ConvergenceCriterion.deltaBelow(
                                                                    tolerance)))
                                            .build();
                                })
                        .apply();
        discard(results.get("x"));
        JobID job = env.execute().getJobID();

        // The checked stream of round r holds the initial values / 2^(r + 1).
        double sum = initial.stream().mapToDouble(Double::doubleValue).sum();
        int lastRound = 1;
        while (Math.abs(sum / Math.pow(2, lastRound + 1) - sum / Math.pow(2, lastRound))
                >= tolerance) {
            lastRound++;
        }
        Map<Integer, Map<String, Metric>> checks =
                metrics(job, "Termination check: deltaBelow", "halving");
        assertThat(checks).containsOnlyKeys(0);
        Map<String, Metric> check = checks.get(0);
        assertThat(count(check, "checkedRounds")).isEqualTo(lastRound + 1);
        assertThat((Double) value(check, "lastConvergenceValue"))
                .isCloseTo(sum / Math.pow(2, lastRound + 1), within(1e-12));
        for (Map<String, Metric> head : metrics(job, "Iteration head [x]", "halving").values()) {
            assertThat(value(head, "terminationReason")).isEqualTo("converged");
            assertThat(count(head, "completedRounds")).isEqualTo(lastRound + 1);
        }
    }

    @Test
    void unboundedIterationEndsWhenItsInputEndedAndTheLoopDrained() throws Exception {
        int limit = 6;
        StreamExecutionEnvironment env = TestCluster.env(PARALLELISM);
        ResultStreams results =
                new UnboundedIteration()
                        .name("online")
                        .bindVariable("x", spread(env, INITIAL))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> x = inputs.get("x");
                                    return IterationDeclaration.builder()
                                            .withFeedback(
                                                    "x", x.map(v -> v + 1).filter(v -> v < limit))
                                            .withOutput("x", x)
                                            .build();
                                })
                        .apply();
        discard(results.get("x"));
        JobID job = env.execute().getJobID();

        int smallest = INITIAL.stream().mapToInt(Integer::intValue).min().orElseThrow();
        // The smallest value goes round longest: it is fed back while v + r + 1 < limit.
        int lastRound = limit - 1 - smallest;
        Map<Integer, Map<String, Metric>> heads = metrics(job, "Iteration head [x]", "online");
        assertThat(heads).containsOnlyKeys(0, 1);
        for (Map<String, Metric> head : heads.values()) {
            assertThat(value(head, "terminationReason")).isEqualTo("input-ended");
            assertThat(count(head, "completedRounds")).isEqualTo(lastRound + 1);
            assertThat(value(head, "feedbackLagRounds")).isEqualTo(0L);
            assertThat(head).doesNotContainKey("heldFeedbackRecords");
        }
    }

    /** The initial records, spread over both head subtasks. */
    private static DataStream<Integer> spread(
            StreamExecutionEnvironment env, List<Integer> values) {
        return env.fromData(values).rebalance().map(v -> v).returns(Types.INT);
    }

    private static <T> void discard(DataStream<T> stream) {
        stream.sinkTo(new DiscardingSink<>());
    }

    /**
     * The iteration metrics of the job's operators whose name starts with {@code operator}, by
     * subtask index.
     */
    private static Map<Integer, Map<String, Metric>> metrics(
            JobID job, String operator, String iteration) {
        Map<Integer, Map<String, Metric>> bySubtask = new HashMap<>();
        for (Map.Entry<MetricGroup, Map<String, Metric>> group :
                REPORTER.getMetricsByGroup().entrySet()) {
            Map<String, String> variables = group.getKey().getAllVariables();
            if (job.toString().equals(variables.get("<job_id>"))
                    && iteration.equals(variables.get("<iteration>"))
                    && variables.getOrDefault("<operator_name>", "").startsWith(operator)) {
                bySubtask
                        .computeIfAbsent(
                                Integer.parseInt(variables.get("<subtask_index>")),
                                i -> new HashMap<>())
                        .putAll(group.getValue());
            }
        }
        return bySubtask;
    }

    private static Object value(Map<String, Metric> metrics, String name) {
        assertThat(metrics).containsKey(name);
        return ((Gauge<?>) metrics.get(name)).getValue();
    }

    private static long count(Map<String, Metric> metrics, String name) {
        assertThat(metrics).containsKey(name);
        return ((Counter) metrics.get(name)).getCount();
    }

    static List<String> names(Map<String, Metric> metrics) {
        return new ArrayList<>(metrics.keySet());
    }
}
