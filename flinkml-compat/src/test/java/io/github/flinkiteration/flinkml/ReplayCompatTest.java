package io.github.flinkiteration.flinkml;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.flinkml.common.iteration.TerminateOnMaxIter;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Replayed data streams reach the body in every epoch, the others only in epoch 0. */
class ReplayCompatTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = CompatCluster.extension();

    @Test
    void replayedStreamsComeEveryEpochAndOthersOnce() throws Exception {
        int maxIter = 4;
        List<Integer> replayed = List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        List<String> once = List.of("a", "b", "c", "d", "e");
        StreamExecutionEnvironment env = CompatCluster.env(4);
        DataStreamList outputs =
                Iterations.iterateBoundedStreamsUntilTermination(
                        DataStreamList.of(env.fromData(0, 0, 0, 0)),
                        ReplayableDataStreamList.replay(env.fromData(replayed))
                                .andNotReplay(env.fromData(once)),
                        IterationConfig.newBuilder().build(),
                        (variables, data) -> {
                            DataStream<Integer> counter = variables.get(0);
                            DataStream<Integer> next = counter.map(v -> v + 1);
                            DataStream<Tuple2<Integer, Integer>> replayedCounts =
                                    counter.connect(data.<Integer>get(0))
                                            .process(new SecondInputCountPerEpoch<>())
                                            .returns(Types.TUPLE(Types.INT, Types.INT));
                            DataStream<Tuple2<Integer, Integer>> onceCounts =
                                    counter.connect(data.<String>get(1))
                                            .process(new SecondInputCountPerEpoch<>())
                                            .returns(Types.TUPLE(Types.INT, Types.INT));
                            return new IterationBodyResult(
                                    DataStreamList.of(next),
                                    DataStreamList.of(replayedCounts, onceCounts),
                                    next.flatMap(new TerminateOnMaxIter<>(maxIter)));
                        });
        CompatCluster.Collected<Tuple2<Integer, Integer>> replayedSeen =
                CompatCluster.collectLater(outputs.get(0));
        CompatCluster.Collected<Tuple2<Integer, Integer>> onceSeen =
                CompatCluster.collectLater(outputs.get(1));
        env.execute();

        List<Tuple2<Integer, Integer>> expectedReplayed = new ArrayList<>();
        List<Tuple2<Integer, Integer>> expectedOnce = new ArrayList<>();
        for (int epoch = 0; epoch < maxIter; epoch++) {
            expectedReplayed.add(Tuple2.of(epoch, replayed.size()));
            expectedOnce.add(Tuple2.of(epoch, epoch == 0 ? once.size() : 0));
        }
        assertThat(BoundedIterationCompatTest.sumEpochsOverSubtasks(replayedSeen.list()))
                .containsExactlyElementsOf(expectedReplayed);
        assertThat(BoundedIterationCompatTest.sumEpochsOverSubtasks(onceSeen.list()))
                .containsExactlyElementsOf(expectedOnce);
    }
}
