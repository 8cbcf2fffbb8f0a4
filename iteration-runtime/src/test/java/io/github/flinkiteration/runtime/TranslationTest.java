package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.TerminationCondition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Reduce, side outputs, union and broadcast state translate into a working loop. */
class TranslationTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    private static final OutputTag<Integer> ODD = new OutputTag<>("odd", Types.INT);
    private static final MapStateDescriptor<String, Integer> FACTOR =
            new MapStateDescriptor<>("factor", Types.STRING, Types.INT);

    private static final int ROUNDS = 4;
    private static final List<Integer> INITIAL =
            IntStream.range(1, 21).boxed().collect(Collectors.toList());

    @Test
    void reduceSideOutputsAndUnion() throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(3);
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable("x", env.fromData(INITIAL))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> x = inputs.get("x");
                                    SingleOutputStreamOperator<Integer> evens =
                                            x.process(new SplitOdd());
                                    DataStream<Integer> odds = evens.getSideOutput(ODD);
                                    DataStream<Integer> next =
                                            evens.map(v -> v + 1).union(odds.map(v -> v + 1));
                                    DataStream<Tuple2<Integer, Integer>> sums =
                                            x.map(v -> Tuple2.of(v % 4, v))
                                                    .returns(Types.TUPLE(Types.INT, Types.INT))
                                                    .keyBy(t -> t.f0)
                                                    .reduce((a, b) -> Tuple2.of(a.f0, a.f1 + b.f1));
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", next)
                                            .withOutput("odds", odds)
                                            .withOutput("sums", sums)
                                            .until(TerminationCondition.maxRounds(ROUNDS))
                                            .build();
                                })
                        .apply();
        TestCluster.Collected<Integer> odds = TestCluster.collectLater(results.get("odds"));
        TestCluster.Collected<Tuple2<Integer, Integer>> sums =
                TestCluster.collectLater(results.get("sums"));
        env.execute();

        List<Integer> expectedOdds = new ArrayList<>();
        Map<Integer, Integer> expectedSums = new HashMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            for (int v : INITIAL) {
                int value = v + round;
                if (value % 2 != 0) {
                    expectedOdds.add(value);
                }
                expectedSums.merge(value % 4, value, Integer::sum);
            }
        }
        assertThat(odds.list()).containsExactlyInAnyOrderElementsOf(expectedOdds);
        Map<Integer, Integer> finalSums = new HashMap<>();
        List<Tuple2<Integer, Integer>> allSums = sums.list();
        allSums.forEach(t -> finalSums.merge(t.f0, t.f1, Math::max));
        assertThat(finalSums).isEqualTo(expectedSums);
        assertThat(allSums).hasSize(INITIAL.size() * ROUNDS);
    }

    @Test
    void broadcastStateNonKeyedAndKeyed() throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(2);
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable("x", env.fromData(INITIAL))
                        .bindData("factor", env.fromData(3).setParallelism(1))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> x = inputs.get("x");
                                    BroadcastStream<Integer> factor =
                                            inputs.<Integer>get("factor").broadcast(FACTOR);
                                    DataStream<Integer> scaled =
                                            x.connect(factor).process(new Scale());
                                    DataStream<Integer> keyedScaled =
                                            x.keyBy(v -> v % 5)
                                                    .connect(factor)
                                                    .process(new KeyedScale())
                                                    .setParallelism(4);
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", x.map(v -> v + 1))
                                            .withOutput("scaled", scaled)
                                            .withOutput("keyedScaled", keyedScaled)
                                            .until(TerminationCondition.maxRounds(ROUNDS))
                                            .build();
                                })
                        .apply();
        TestCluster.Collected<Integer> scaled = TestCluster.collectLater(results.get("scaled"));
        TestCluster.Collected<Integer> keyedScaled =
                TestCluster.collectLater(results.get("keyedScaled"));
        env.execute();

        // From round 1 on the factor sits in broadcast state on every subtask.
        List<Integer> expected = new ArrayList<>();
        for (int round = 1; round < ROUNDS; round++) {
            for (int v : INITIAL) {
                expected.add((v + round) * 3);
            }
        }
        assertThat(scaled.list()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(keyedScaled.list()).containsExactlyInAnyOrderElementsOf(expected);
    }

    private static final class SplitOdd extends ProcessFunction<Integer, Integer> {
        @Override
        public void processElement(Integer value, Context ctx, Collector<Integer> out) {
            if (value % 2 == 0) {
                out.collect(value);
            } else {
                ctx.output(ODD, value);
            }
        }
    }

    /** Scales values by the broadcast factor, from round 1 on. */
    private static final class Scale extends BroadcastProcessFunction<Integer, Integer, Integer>
            implements IterationListener<Integer> {
        private int round;

        @Override
        public void onRoundStart(int round, IterationListener.Context c, Collector<Integer> out) {
            this.round = round;
        }

        @Override
        public void onRoundEnd(int round, IterationListener.Context c, Collector<Integer> out) {}

        @Override
        public void processElement(
                Integer value,
                BroadcastProcessFunction<Integer, Integer, Integer>.ReadOnlyContext ctx,
                Collector<Integer> out)
                throws Exception {
            if (round >= 1) {
                out.collect(value * ctx.getBroadcastState(FACTOR).get("factor"));
            }
        }

        @Override
        public void processBroadcastElement(
                Integer value,
                BroadcastProcessFunction<Integer, Integer, Integer>.Context ctx,
                Collector<Integer> out)
                throws Exception {
            ctx.getBroadcastState(FACTOR).put("factor", value);
        }
    }

    /** The keyed variant of {@link Scale}. */
    private static final class KeyedScale
            extends KeyedBroadcastProcessFunction<Integer, Integer, Integer, Integer>
            implements IterationListener<Integer> {
        private int round;

        @Override
        public void onRoundStart(int round, IterationListener.Context c, Collector<Integer> out) {
            this.round = round;
        }

        @Override
        public void onRoundEnd(int round, IterationListener.Context c, Collector<Integer> out) {}

        @Override
        public void processElement(
                Integer value,
                KeyedBroadcastProcessFunction<Integer, Integer, Integer, Integer>.ReadOnlyContext
                        ctx,
                Collector<Integer> out)
                throws Exception {
            if (round >= 1) {
                out.collect(value * ctx.getBroadcastState(FACTOR).get("factor"));
            }
        }

        @Override
        public void processBroadcastElement(
                Integer value,
                KeyedBroadcastProcessFunction<Integer, Integer, Integer, Integer>.Context ctx,
                Collector<Integer> out)
                throws Exception {
            ctx.getBroadcastState(FACTOR).put("factor", value);
        }
    }
}
