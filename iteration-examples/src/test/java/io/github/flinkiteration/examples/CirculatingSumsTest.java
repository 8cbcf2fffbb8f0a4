package io.github.flinkiteration.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The circulating sums at parallelism 4 end with the plain-Java sums, one visit per hop. */
class CirculatingSumsTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = ExamplesCluster.extension();

    @Test
    void lastSumPerKeyEqualsTheReference() throws Exception {
        int events = 100;
        int hops = 20;
        int keys = 16;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(4);
        Map<Long, Long> last = new TreeMap<>();
        long visits = 0;
        try (CloseableIterator<Tuple2<Long, Long>> it =
                CirculatingSums.sums(
                                env.fromSequence(0, events - 1)
                                        .map(id -> Tuple2.of(id, (long) hops))
                                        .returns(CirculatingSums.EVENT),
                                keys,
                                0)
                        .executeAndCollect()) {
            while (it.hasNext()) {
                Tuple2<Long, Long> sum = it.next();
                last.merge(sum.f0, sum.f1, Math::max);
                visits++;
            }
        }
        assertThat(last).isEqualTo(CirculatingSums.expectedSums(events, hops, keys));
        assertThat(visits).isEqualTo((long) events * (hops + 1));
    }
}
