package io.github.flinkiteration.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The circulating sums at parallelism 4 end with the plain-Java sums, one visit per hop, in an
 * unbounded loop and in the bounded one whose rounds are the hops.
 */
class CirculatingSumsTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = ExamplesCluster.extension();

    private static final int EVENTS = 100;
    private static final int HOPS = 20;
    private static final int KEYS = 16;

    @ParameterizedTest(name = "in rounds: {0}")
    @ValueSource(booleans = {false, true})
    void lastSumPerKeyEqualsTheReference(boolean inRounds) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(4);
        DataStream<Tuple2<Long, Long>> events =
                env.fromSequence(0, EVENTS - 1)
                        .map(id -> Tuple2.of(id, (long) HOPS))
                        .returns(CirculatingSums.EVENT);
        DataStream<Tuple2<Long, Long>> sums =
                inRounds
                        ? CirculatingSums.sumsInRounds(events, KEYS, HOPS, 0)
                        : CirculatingSums.sums(events, KEYS, 0);
        Map<Long, Long> last = new TreeMap<>();
        long visits = 0;
        try (CloseableIterator<Tuple2<Long, Long>> it = sums.executeAndCollect()) {
            while (it.hasNext()) {
                Tuple2<Long, Long> sum = it.next();
                last.merge(sum.f0, sum.f1, Math::max);
                visits++;
            }
        }
        assertThat(last).isEqualTo(CirculatingSums.expectedSums(EVENTS, HOPS, KEYS));
        assertThat(visits).isEqualTo((long) EVENTS * (HOPS + 1));
    }
}
