package io.github.flinkiteration.flinkml.iteration;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
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
}
