package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkiteration.api.Aggregators;
import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.ConvergenceCriterion;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.api.IterationRuntimeContext;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.TerminationCondition;
import io.github.flinkiteration.api.UnboundedIteration;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Per-round aggregators at parallelism 4: what any function adds in round r, on any subtask of any
 * operator, is read by every function in round r + 1; round 0 reads the empty aggregate; a
 * convergence criterion on an aggregate ends the iteration; a failure inside the loop leaves the
 * aggregates as in a failure-free run. Expected values come from a plain-Java run of the same
 * rounds.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AggregatorTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    private static final int VALUES = 400;
    private static final int ROUNDS = 12;
    private static final long MODULUS = 1_000_003;
    private static final TypeInformation<Tuple2<Long, Long>> PAIR =
            Types.TUPLE(Types.LONG, Types.LONG);
    private static final TypeInformation<Tuple4<Integer, Long, Double, Long>> SEEN =
            TypeInformation.of(new TypeHint<Tuple4<Integer, Long, Double, Long>>() {});

    @Test
    void eachRoundReadsThePreviousRoundsGlobalAggregates() throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(4);
        List<Tuple4<Integer, Long, Double, Long>> seen = run(env, null, 0);

        assertThat(seen).containsExactlyInAnyOrderElementsOf(expectedSeen());
    }

    @Test
    void aggregatorsWorkInBatchMode() throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(4);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        List<Tuple4<Integer, Long, Double, Long>> seen = run(env, null, 0);

        assertThat(seen).containsExactlyInAnyOrderElementsOf(expectedSeen());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void aggregatesSurviveAFailureInsideTheLoop(String backend) throws Exception {
        String failure = InjectedFailure.newRun();
        StreamExecutionEnvironment env = FailoverTest.checkpointedEnv(4, backend);
        List<Tuple4<Integer, Long, Double, Long>> seen = run(env, failure, VALUES * ROUNDS / 2);

        assertThat(InjectedFailure.run(failure).failed()).as("the failure happened").isTrue();
        assertThat(InjectedFailure.run(failure).restoredFromCheckpoint)
                .as("the job restored from a checkpoint")
                .isTrue();
        assertThat(seen).containsExactlyInAnyOrderElementsOf(expectedSeen());
    }

    @Test
    void aConvergenceCriterionOnAnAggregateEndsTheIteration() throws Exception {
        double tolerance = 0.01;
        List<Double> initial = List.of(64.0, 32.0, 16.0, 8.0, 5.0, 3.0);
        StreamExecutionEnvironment env = TestCluster.env(4);
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable("x", env.fromData(initial))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Double> x = inputs.get("x");
                                    DataStream<Double> halved =
                                            x.map(new AddTo("total")).map(v -> v / 2);
                                    return IterationDeclaration.builder()
                                            .withAggregator("total", Aggregators.doubleSum())
                                            .withFeedback("x", halved)
                                            .withOutput("rounds", x.map(new RoundOf()))
                                            .until(
                                                    TerminationCondition.whenAggregateConverged(
                                                            "total",
                                                            ConvergenceCriterion.deltaBelow(
                                                                    tolerance)))
                                            .build();
                                })
                        .apply();
        List<Integer> rounds = TestCluster.collect(results.get("rounds"));

        // Reference: the total of round r is S / 2^r; converged in the first round r >= 1 whose
        // total differs from the one before by less than the tolerance.
        double sum = initial.stream().mapToDouble(Double::doubleValue).sum();
        int lastRound = 1;
        while (Math.abs(sum / Math.pow(2, lastRound) - sum / Math.pow(2, lastRound - 1))
                >= tolerance) {
            lastRound++;
        }
        assertThat(rounds.stream().mapToInt(Integer::intValue).max().orElse(-1))
                .isEqualTo(lastRound);
        assertThat(rounds).hasSize(initial.size() * (lastRound + 1));
    }

    @Test
    void anUndeclaredAggregatorFailsTheJobNamingIt() {
        StreamExecutionEnvironment env = TestCluster.env(2);
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable("x", env.fromData(1.0, 2.0))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Double> x = inputs.get("x");
                                    return IterationDeclaration.builder()
                                            .withAggregator("total", Aggregators.doubleSum())
                                            .withFeedback("x", x.map(new AddTo("totl")))
                                            .until(TerminationCondition.maxRounds(2))
                                            .build();
                                })
                        .apply();
        results.names();
        assertThatThrownBy(env::execute)
                .rootCause()
                .hasMessageContaining("no aggregator 'totl'")
                .hasMessageContaining("[total]");
    }

    @Test
    void aggregatorsInAnUnboundedIterationAreRejectedAtBuildTime() {
        StreamExecutionEnvironment env = TestCluster.env(2);
        assertThatThrownBy(
                        () ->
                                new UnboundedIteration()
                                        .bindVariable("x", env.fromData(1.0, 2.0))
                                        .withBody(
                                                (inputs, context) ->
                                                        IterationDeclaration.builder()
                                                                .withAggregator(
                                                                        "total",
                                                                        Aggregators.doubleSum())
                                                                .withFeedback("x", inputs.get("x"))
                                                                .build())
                                        .apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("UnboundedIteration declares the aggregators [total]")
                .hasMessageContaining("use a BoundedIteration");
    }

    @Test
    void aConvergenceCheckOnAnUnknownAggregatorIsRejectedAtBuildTime() {
        StreamExecutionEnvironment env = TestCluster.env(2);
        assertThatThrownBy(
                        () ->
                                new BoundedIteration()
                                        .bindVariable("x", env.fromData(1.0, 2.0))
                                        .withBody(
                                                (inputs, context) ->
                                                        IterationDeclaration.builder()
                                                                .withAggregator(
                                                                        "total",
                                                                        Aggregators.doubleSum())
                                                                .withFeedback("x", inputs.get("x"))
                                                                .until(
                                                                        TerminationCondition
                                                                                .whenAggregateConverged(
                                                                                        "totl",
                                                                                        ConvergenceCriterion
                                                                                                .deltaBelow(
                                                                                                        1e-3)))
                                                                .build())
                                        .apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whenAggregateConverged(\"totl\"")
                .hasMessageContaining("Declared aggregators: [total]");
    }

    @Test
    void usingAnAggregatorOutsideAnIterationFails() {
        assertThatThrownBy(() -> IterationRuntimeContext.aggregator("total"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("outside an iteration body");
    }

    /**
     * The loop of (id, x): x steps each round. A keyed function adds x to "sum", a chained one the
     * maximum of x to "max" and one to the user aggregator "count"; a reader reports in each
     * round's onRoundEnd what it reads of the round before.
     */
    private static List<Tuple4<Integer, Long, Double, Long>> run(
            StreamExecutionEnvironment env, String failure, long failAfter) throws Exception {
        List<Tuple2<Long, Long>> initial = new ArrayList<>();
        for (long id = 0; id < VALUES; id++) {
            initial.add(Tuple2.of(id, id));
        }
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable("values", env.fromData(initial))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Tuple2<Long, Long>> values = inputs.get("values");
                                    DataStream<Tuple2<Long, Long>> path = values;
                                    if (failure != null) {
                                        path =
                                                values.process(
                                                                new InjectedFailure<>(
                                                                        failure, failAfter))
                                                        .returns(PAIR)
                                                        .map(new FailoverTest.Pacer<>())
                                                        .returns(PAIR);
                                    }
                                    DataStream<Tuple2<Long, Long>> next =
                                            path.keyBy(v -> v.f0 % 8)
                                                    .process(new SumContributor())
                                                    .returns(PAIR)
                                                    .map(new MaxAndCountContributor())
                                                    .returns(PAIR);
                                    DataStream<Tuple4<Integer, Long, Double, Long>> seen =
                                            values.process(new PreviousReader())
                                                    .returns(SEEN)
                                                    .setParallelism(4);
                                    return IterationDeclaration.builder()
                                            .withAggregator("sum", Aggregators.longSum())
                                            .withAggregator("max", Aggregators.doubleMax())
                                            .withAggregator("count", new Count())
                                            .withFeedback("values", next)
                                            .withOutput("seen", seen)
                                            .until(TerminationCondition.maxRounds(ROUNDS))
                                            .build();
                                })
                        .apply();
        return TestCluster.collect(results.get("seen"));
    }

    /** Per round and reader subtask (4): (round, sum, max, count) of the round before. */
    private static List<Tuple4<Integer, Long, Double, Long>> expectedSeen() {
        List<Tuple4<Integer, Long, Double, Long>> expected = new ArrayList<>();
        long[] x = new long[VALUES];
        for (int id = 0; id < VALUES; id++) {
            x[id] = id;
        }
        long previousSum = 0;
        double previousMax = Double.NEGATIVE_INFINITY;
        long previousCount = 0;
        for (int round = 0; round < ROUNDS; round++) {
            for (int subtask = 0; subtask < 4; subtask++) {
                expected.add(Tuple4.of(round, previousSum, previousMax, previousCount));
            }
            previousSum = 0;
            previousMax = Double.NEGATIVE_INFINITY;
            previousCount = 0;
            for (int id = 0; id < VALUES; id++) {
                previousSum += x[id];
                previousMax = Math.max(previousMax, x[id]);
                previousCount++;
                x[id] = step(id, x[id]);
            }
        }
        return expected;
    }

    private static long step(long id, long x) {
        return (x * 31 + id) % MODULUS;
    }

    private static final class SumContributor
            extends KeyedProcessFunction<Long, Tuple2<Long, Long>, Tuple2<Long, Long>> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(
                Tuple2<Long, Long> value, Context ctx, Collector<Tuple2<Long, Long>> out) {
            IterationRuntimeContext.<Long>aggregator("sum").add(value.f1);
            out.collect(value);
        }
    }

    private static final class MaxAndCountContributor
            extends RichMapFunction<Tuple2<Long, Long>, Tuple2<Long, Long>> {
        private static final long serialVersionUID = 1L;

        @Override
        public Tuple2<Long, Long> map(Tuple2<Long, Long> value) {
            IterationRuntimeContext.<Double>aggregator("max").add((double) value.f1);
            IterationRuntimeContext.<String>aggregator("count").add("one more");
            return Tuple2.of(value.f0, step(value.f0, value.f1));
        }
    }

    /** Passes nothing on; reports what it reads once per round and subtask. */
    private static final class PreviousReader
            extends ProcessFunction<Tuple2<Long, Long>, Tuple4<Integer, Long, Double, Long>>
            implements IterationListener<Tuple4<Integer, Long, Double, Long>> {
        private static final long serialVersionUID = 1L;

        private Long readInRecords;

        @Override
        public void processElement(
                Tuple2<Long, Long> value,
                ProcessFunction<Tuple2<Long, Long>, Tuple4<Integer, Long, Double, Long>>.Context
                        ctx,
                Collector<Tuple4<Integer, Long, Double, Long>> out) {
            readInRecords = IterationRuntimeContext.previousAggregate("sum");
        }

        @Override
        public void onRoundEnd(
                int round,
                IterationListener.Context context,
                Collector<Tuple4<Integer, Long, Double, Long>> out) {
            Long sum = IterationRuntimeContext.previousAggregate("sum");
            // Read while processing the round's records, it is the same value.
            if (readInRecords != null && !readInRecords.equals(sum)) {
                throw new AssertionError(
                        "round " + round + ": read " + readInRecords + " and then " + sum);
            }
            readInRecords = null;
            out.collect(
                    Tuple4.of(
                            round,
                            IterationRuntimeContext.<Long>previousAggregate("sum"),
                            IterationRuntimeContext.<Double>previousAggregate("max"),
                            IterationRuntimeContext.<Long>previousAggregate("count")));
        }
    }

    private static final class AddTo extends RichMapFunction<Double, Double> {
        private static final long serialVersionUID = 1L;
        private final String aggregator;

        AddTo(String aggregator) {
            this.aggregator = aggregator;
        }

        @Override
        public Double map(Double value) {
            IterationRuntimeContext.<Double>aggregator(aggregator).add(value);
            return value;
        }
    }

    private static final class RoundOf extends RichMapFunction<Double, Integer> {
        private static final long serialVersionUID = 1L;

        @Override
        public Integer map(Double value) {
            return IterationRuntimeContext.currentRound();
        }
    }

    /** A user aggregate function with an accumulator class of its own: counts what is added. */
    private static final class Count implements AggregateFunction<String, Count.Acc, Long> {
        private static final long serialVersionUID = 1L;

        static final class Acc implements Serializable {
            private static final long serialVersionUID = 1L;
            long n;
        }

        @Override
        public Acc createAccumulator() {
            return new Acc();
        }

        @Override
        public Acc add(String value, Acc acc) {
            acc.n++;
            return acc;
        }

        @Override
        public Long getResult(Acc acc) {
            return acc.n;
        }

        @Override
        public Acc merge(Acc a, Acc b) {
            Acc merged = new Acc();
            merged.n = a.n + b.n;
            return merged;
        }
    }
}
