package io.github.flinkiteration.flinkml;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An unbounded iteration over bounded inputs ends once its loop drained. */
class UnboundedIterationCompatTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = CompatCluster.extension();

    @Test
    void valuesCirculateUntilTheyReachTheLimit() throws Exception {
        int limit = 10;
        List<Integer> initial = List.of(0, 3, 5, 12, 2, 7, 9, 4);
        List<Integer> offsets = List.of(100, 200);
        StreamExecutionEnvironment env = CompatCluster.env(4);
        DataStreamList outputs =
                Iterations.iterateUnboundedStreams(
                        DataStreamList.of(env.fromData(initial)),
                        DataStreamList.of(env.fromData(offsets)),
                        (variables, data) -> {
                            DataStream<Integer> values = variables.get(0);
                            DataStream<Integer> next =
                                    values.filter(v -> v < limit).map(v -> v + 1);
                            return new IterationBodyResult(
                                    DataStreamList.of(next),
                                    DataStreamList.of(
                                            values, data.<Integer>get(0).map(v -> v + 1)));
                        });
        CompatCluster.Collected<Integer> seen = CompatCluster.collectLater(outputs.get(0));
        CompatCluster.Collected<Integer> data = CompatCluster.collectLater(outputs.get(1));
        env.execute();

        // Reference: each value is seen, then fed back one higher while below the limit.
        List<Integer> expected = new ArrayList<>();
        for (int v : initial) {
            expected.add(v);
            for (int x = v; x < limit; x++) {
                expected.add(x + 1);
            }
        }
        assertThat(seen.list()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(data.list()).containsExactlyInAnyOrder(101, 201);
    }

    @Test
    void listenersSeeEveryEpochThatHadRecordsAndTheEnd() throws Exception {
        int limit = 6;
        List<Integer> initial = List.of(0, 3, 5, 12, 2);
        StreamExecutionEnvironment env = CompatCluster.env(4);
        DataStreamList outputs =
                Iterations.iterateUnboundedStreams(
                        DataStreamList.of(env.fromData(initial)),
                        DataStreamList.of(),
                        (variables, data) -> {
                            DataStream<Integer> values = variables.get(0);
                            return new IterationBodyResult(
                                    DataStreamList.of(
                                            values.filter(v -> v < limit).map(v -> v + 1)),
                                    DataStreamList.of(
                                            values.process(new SumPerEpoch())
                                                    .returns(Types.TUPLE(Types.INT, Types.INT))));
                        });
        List<Tuple2<Integer, Integer>> seen = new ArrayList<>();
        outputs.<Tuple2<Integer, Integer>>get(0).executeAndCollect().forEachRemaining(seen::add);

        // Reference: epoch 0 holds the initial values, epoch r >= 1 each v + r with v + r <= limit.
        List<Tuple2<Integer, Integer>> expected = new ArrayList<>();
        for (int epoch = 0; ; epoch++) {
            int r = epoch;
            List<Integer> inEpoch =
                    initial.stream().filter(v -> r == 0 || v + r <= limit).map(v -> v + r).toList();
            if (inEpoch.isEmpty()) {
                break;
            }
            expected.add(Tuple2.of(epoch, inEpoch.stream().mapToInt(Integer::intValue).sum()));
        }
        // Unbounded rounds are not in lock-step: a record of epoch r + 1 may be processed before
        // the watermark of epoch r, so only the epochs and the total are fixed, not each sum.
        List<Tuple2<Integer, Integer>> perEpoch =
                BoundedIterationCompatTest.sumEpochsOverSubtasks(seen);
        assertThat(perEpoch.stream().map(t -> t.f0))
                .containsExactlyElementsOf(expected.stream().map(t -> t.f0).toList());
        assertThat(perEpoch.stream().mapToInt(t -> t.f1).sum())
                .isEqualTo(expected.stream().mapToInt(t -> t.f1).sum());
        assertThat(seen.stream().filter(t -> t.f0 < 0))
                .as("every subtask is told of the end once, after every epoch")
                .containsExactly(
                        Tuple2.of(-1, expected.size()),
                        Tuple2.of(-1, expected.size()),
                        Tuple2.of(-1, expected.size()),
                        Tuple2.of(-1, expected.size()));
    }
}
