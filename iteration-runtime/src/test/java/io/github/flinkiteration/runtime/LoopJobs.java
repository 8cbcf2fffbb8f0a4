package io.github.flinkiteration.runtime;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.api.TerminationCondition;
import io.github.flinkiteration.api.UnboundedIteration;
import io.github.flinkiteration.testing.ControlledSource;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/** Small iteration jobs that the checkpoint and stop tests share. */
final class LoopJobs {

    private static final long VALUES = 100;

    /** {@link #gatedIncrements}: the values {@code 0 … GATED_VALUES - 1} go round. */
    static final long GATED_VALUES = VALUES;

    /** {@link #gatedIncrements}: the number of rounds. */
    static final int GATED_ROUNDS = 5;

    private LoopJobs() {}

    /**
     * A bounded loop over 1 … 100 that adds one to every value in each of {@code rounds} rounds,
     * each round paced ({@link FailoverTest.Pacer}) so that checkpoints and stops fall inside the
     * loop; {@code probe} sees every record first. Emits every value of every round.
     */
    static DataStream<Long> pacedIncrements(
            StreamExecutionEnvironment env, int rounds, MapFunction<Long, Long> probe) {
        return new BoundedIteration()
                .bindVariable("x", env.fromSequence(1, VALUES))
                .withBody(
                        (inputs, context) -> {
                            DataStream<Long> next =
                                    inputs.<Long>get("x")
                                            .map(probe)
                                            .returns(Types.LONG)
                                            .map(v -> v + 1)
                                            .returns(Types.LONG)
                                            .map(new FailoverTest.Pacer<>())
                                            .returns(Types.LONG);
                            return IterationDeclaration.builder()
                                    .withFeedback("x", next)
                                    .withOutput("x", next)
                                    .until(TerminationCondition.maxRounds(rounds))
                                    .build();
                        })
                .apply()
                .get("x");
    }

    /** The sum of everything {@link #pacedIncrements} emits: v + r for each v and round r ≥ 1. */
    static long pacedIncrementsSum(int rounds) {
        long sum = 0;
        for (long v = 1; v <= VALUES; v++) {
            for (int r = 1; r <= rounds; r++) {
                sum += v + r;
            }
        }
        return sum;
    }

    /**
     * A bounded loop that adds one to each of the gated source's values in each of {@link
     * #GATED_ROUNDS} rounds and emits every value of every round. The source runs at parallelism 2,
     * whatever the job's. Round 0 cannot end before the gate lets all values in.
     */
    static DataStream<Long> gatedIncrements(
            StreamExecutionEnvironment env, ControlledSource.Gate gate, boolean lockStep) {
        DataStream<Long> input =
                env.fromSource(
                                ControlledSource.bounded(gate, GATED_VALUES, i -> i, Types.LONG),
                                WatermarkStrategy.noWatermarks(),
                                "gated")
                        // The source restores its position only at the parallelism it had; the
                        // values are spread over the job's, which the variable's head takes.
                        .setParallelism(2)
                        .uid("gated")
                        .rebalance()
                        .map(value -> value)
                        .returns(Types.LONG)
                        .uid("spread");
        return new BoundedIteration()
                .bindVariable("x", input)
                .withBody(
                        (inputs, context) -> {
                            // A listener hears round ends, which keeps the rounds in
                            // lock-step; without one they flow freely.
                            DataStream<Long> next =
                                    lockStep
                                            ? inputs.<Long>get("x")
                                                    .map(new IncrementHearingRounds())
                                                    .returns(Types.LONG)
                                            : inputs.<Long>get("x")
                                                    .map(v -> v + 1)
                                                    .returns(Types.LONG);
                            return IterationDeclaration.builder()
                                    .withFeedback("x", next)
                                    .withOutput("x", next)
                                    .until(TerminationCondition.maxRounds(GATED_ROUNDS))
                                    .build();
                        })
                .apply()
                .get("x");
    }

    /**
     * An unbounded iteration that passes each value of a gated source out once, feeding back
     * nothing. Every operator runs at the environment's parallelism, so that two jobs built alike
     * chain alike and their operators get the same generated ids.
     */
    static DataStream<Long> echo(StreamExecutionEnvironment env, ControlledSource.Gate gate) {
        DataStream<Long> input =
                env.fromSource(
                        ControlledSource.unbounded(gate, i -> i, Types.LONG),
                        WatermarkStrategy.noWatermarks(),
                        "gated");
        return new UnboundedIteration()
                .bindVariable("x", input)
                .withBody(
                        (inputs, context) -> {
                            DataStream<Long> values = inputs.get("x");
                            return IterationDeclaration.builder()
                                    .withFeedback("x", values.filter(v -> false))
                                    .withOutput("x", values)
                                    .build();
                        })
                .apply()
                .get("x");
    }

    /** Adds one; as a listener it keeps its iteration's rounds in lock-step. */
    private static final class IncrementHearingRounds
            implements MapFunction<Long, Long>, IterationListener<Long> {
        @Override
        public Long map(Long value) {
            return value + 1;
        }

        @Override
        public void onRoundEnd(int round, Context context, Collector<Long> collector) {}
    }
}
