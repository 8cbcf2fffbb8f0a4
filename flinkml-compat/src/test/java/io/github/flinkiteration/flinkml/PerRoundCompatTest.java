package io.github.flinkiteration.flinkml;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.flinkml.common.iteration.TerminateOnMaxIter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Operators built in IterationBody.forEachRound, or in a body configured PER_ROUND, start every
 * epoch with empty state.
 */
class PerRoundCompatTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = CompatCluster.extension();

    private static final List<Tuple2<Integer, Integer>> POINTS = new ArrayList<>();

    static {
        for (int i = 0; i < 40; i++) {
            POINTS.add(Tuple2.of(i % 5, i));
        }
    }

    @Test
    void forEachRoundResetsKeyedStateEveryEpoch() throws Exception {
        assertEveryEpochEndsAtThePlainSums(
                IterationConfig.newBuilder().build(),
                points ->
                        IterationBody.forEachRound(
                                        DataStreamList.of(points),
                                        in -> DataStreamList.of(sum(in.get(0))))
                                .get(0));
    }

    @Test
    void perRoundConfigResetsKeyedStateEveryEpoch() throws Exception {
        assertEveryEpochEndsAtThePlainSums(
                IterationConfig.newBuilder()
                        .setOperatorLifeCycle(IterationConfig.OperatorLifeCycle.PER_ROUND)
                        .build(),
                PerRoundCompatTest::sum);
    }

    private static DataStream<Tuple2<Integer, Integer>> sum(
            DataStream<Tuple2<Integer, Integer>> points) {
        return points.keyBy(p -> p.f0, Types.INT).reduce((a, b) -> Tuple2.of(a.f0, a.f1 + b.f1));
    }

    private static void assertEveryEpochEndsAtThePlainSums(
            IterationConfig config,
            Function<DataStream<Tuple2<Integer, Integer>>, DataStream<Tuple2<Integer, Integer>>>
                    runningSums)
            throws Exception {
        int maxIter = 3;
        StreamExecutionEnvironment env = CompatCluster.env(4);
        DataStreamList outputs =
                Iterations.iterateBoundedStreamsUntilTermination(
                        DataStreamList.of(env.fromData(0)),
                        ReplayableDataStreamList.replay(env.fromData(POINTS)),
                        config,
                        (variables, data) -> {
                            DataStream<Integer> counter = variables.get(0);
                            DataStream<Integer> next = counter.map(v -> v + 1);
                            DataStream<Tuple3<Integer, Integer, Integer>> totals =
                                    runningSums
                                            .apply(data.get(0))
                                            .process(new LargestPerKeyAndEpoch())
                                            .returns(Types.TUPLE(Types.INT, Types.INT, Types.INT));
                            return new IterationBodyResult(
                                    DataStreamList.of(next),
                                    DataStreamList.of(totals),
                                    next.flatMap(new TerminateOnMaxIter<>(maxIter)));
                        });
        List<Tuple3<Integer, Integer, Integer>> seen = new ArrayList<>();
        outputs.<Tuple3<Integer, Integer, Integer>>get(0)
                .executeAndCollect()
                .forEachRemaining(seen::add);

        // Reference: with state reset each epoch, every epoch ends at each key's plain sum.
        Map<Integer, Integer> sums = new HashMap<>();
        POINTS.forEach(p -> sums.merge(p.f0, p.f1, Integer::sum));
        List<Tuple3<Integer, Integer, Integer>> expected = new ArrayList<>();
        for (int epoch = 0; epoch < maxIter; epoch++) {
            for (Map.Entry<Integer, Integer> sum : sums.entrySet()) {
                expected.add(Tuple3.of(epoch, sum.getKey(), sum.getValue()));
            }
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(expected);
    }

    /** Emits (epoch, key, largest running sum of the key in the epoch) at each epoch's end. */
    static class LargestPerKeyAndEpoch
            extends ProcessFunction<Tuple2<Integer, Integer>, Tuple3<Integer, Integer, Integer>>
            implements IterationListener<Tuple3<Integer, Integer, Integer>> {

        private final Map<Integer, Integer> largest = new HashMap<>();

        @Override
        public void processElement(
                Tuple2<Integer, Integer> value,
                ProcessFunction<Tuple2<Integer, Integer>, Tuple3<Integer, Integer, Integer>>.Context
                        ctx,
                Collector<Tuple3<Integer, Integer, Integer>> out) {
            largest.merge(value.f0, value.f1, Math::max);
        }

        @Override
        public void onEpochWatermarkIncremented(
                int epochWatermark,
                IterationListener.Context context,
                Collector<Tuple3<Integer, Integer, Integer>> collector) {
            largest.forEach((key, sum) -> collector.collect(Tuple3.of(epochWatermark, key, sum)));
            largest.clear();
        }

        @Override
        public void onIterationTerminated(
                IterationListener.Context context,
                Collector<Tuple3<Integer, Integer, Integer>> collector) {}
    }
}
