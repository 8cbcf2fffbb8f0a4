package io.github.flinkiteration.flinkml.common.datastream;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.flinkml.DataStreamList;
import io.github.flinkiteration.flinkml.IterationBody;
import io.github.flinkiteration.flinkml.IterationBodyResult;
import io.github.flinkiteration.flinkml.IterationConfig;
import io.github.flinkiteration.flinkml.Iterations;
import io.github.flinkiteration.flinkml.ReplayableDataStreamList;
import io.github.flinkiteration.flinkml.common.iteration.TerminateOnMaxIter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The single end-of-input window fires once per key: at the end of a job, or of each round. */
class EndOfStreamWindowsTest {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(2)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final List<Tuple2<Integer, Integer>> POINTS = new ArrayList<>();

    static {
        for (int i = 0; i < 30; i++) {
            POINTS.add(Tuple2.of(i % 3, i));
        }
    }

    @Test
    void firesOncePerKeyAtTheEndOfInput() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(4);
        List<Tuple2<Integer, Integer>> sums = new ArrayList<>();
        sumPerKey(env.fromData(POINTS)).executeAndCollect().forEachRemaining(sums::add);

        assertThat(sums).containsExactlyInAnyOrderElementsOf(plainSums().values());
    }

    @Test
    void firesOncePerKeyAndRoundInsideForEachRound() throws Exception {
        int maxIter = 3;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(4);
        DataStreamList outputs =
                Iterations.iterateBoundedStreamsUntilTermination(
                        DataStreamList.of(env.fromData(0)),
                        ReplayableDataStreamList.replay(env.fromData(POINTS)),
                        IterationConfig.newBuilder().build(),
                        (variables, data) -> {
                            DataStream<Integer> next = variables.<Integer>get(0).map(v -> v + 1);
                            DataStreamList sums =
                                    IterationBody.forEachRound(
                                            DataStreamList.of(data.get(0)),
                                            in -> DataStreamList.of(sumPerKey(in.get(0))));
                            return new IterationBodyResult(
                                    DataStreamList.of(next),
                                    DataStreamList.of(sums.get(0)),
                                    next.flatMap(new TerminateOnMaxIter<>(maxIter)));
                        });
        List<Tuple2<Integer, Integer>> sums = new ArrayList<>();
        outputs.<Tuple2<Integer, Integer>>get(0).executeAndCollect().forEachRemaining(sums::add);

        List<Tuple2<Integer, Integer>> expected = new ArrayList<>();
        for (int round = 0; round < maxIter; round++) {
            expected.addAll(plainSums().values());
        }
        assertThat(sums).containsExactlyInAnyOrderElementsOf(expected);
    }

    private static DataStream<Tuple2<Integer, Integer>> sumPerKey(
            DataStream<Tuple2<Integer, Integer>> points) {
        return points.keyBy(p -> p.f0, Types.INT)
                .window(EndOfStreamWindows.get())
                .reduce((a, b) -> Tuple2.of(a.f0, a.f1 + b.f1));
    }

    private static Map<Integer, Tuple2<Integer, Integer>> plainSums() {
        Map<Integer, Tuple2<Integer, Integer>> sums = new HashMap<>();
        for (Tuple2<Integer, Integer> p : POINTS) {
            sums.merge(p.f0, p, (a, b) -> Tuple2.of(a.f0, a.f1 + b.f1));
        }
        return sums;
    }
}
