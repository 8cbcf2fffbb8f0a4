package io.github.flinkiteration.flinkml;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.flinkml.common.iteration.TerminateOnMaxIter;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Inside a per-round body every subtask of an operator gets the end of its round as one final
 * watermark, also a subtask that got no record in that round: what end-of-stream windows and timers
 * at {@code Long.MAX_VALUE} rely on.
 */
class FinalWatermarkPerRoundCompatTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = CompatCluster.extension();

    private static final int PARALLELISM = 4;
    private static final int MAX_ITER = 4;

    @Test
    void everySubtaskGetsOneFinalWatermarkPerRound() throws Exception {
        StreamExecutionEnvironment env = CompatCluster.env(PARALLELISM);
        DataStreamList outputs =
                Iterations.iterateBoundedStreamsUntilTermination(
                        DataStreamList.of(env.fromData(1, 2, 3, 4, 5, 6, 7, 8)),
                        ReplayableDataStreamList.notReplay(),
                        IterationConfig.newBuilder().build(),
                        (variables, data) -> {
                            DataStream<Integer> values = variables.get(0);
                            DataStream<Integer> next = values.map(v -> v + 1);
                            // One key: three of the four subtasks get no record in any round.
                            DataStream<Tuple2<Long, Integer>> marks =
                                    IterationBody.forEachRound(
                                                    DataStreamList.of(values),
                                                    in -> DataStreamList.of(watermarks(in.get(0))))
                                            .get(0);
                            return new IterationBodyResult(
                                    DataStreamList.of(next),
                                    DataStreamList.of(marks),
                                    next.flatMap(new TerminateOnMaxIter<>(MAX_ITER)));
                        });
        List<Tuple2<Long, Integer>> seen = new ArrayList<>();
        outputs.<Tuple2<Long, Integer>>get(0).executeAndCollect().forEachRemaining(seen::add);

        // Reference: per round and subtask one watermark, the final one; the subtask of the one
        // key saw the round's 8 records before it, the others none.
        List<Tuple2<Long, Integer>> expected = new ArrayList<>();
        for (int round = 0; round < MAX_ITER; round++) {
            expected.add(Tuple2.of(Long.MAX_VALUE, 8));
            for (int subtask = 1; subtask < PARALLELISM; subtask++) {
                expected.add(Tuple2.of(Long.MAX_VALUE, 0));
            }
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(expected);
    }

    private static DataStream<Tuple2<Long, Integer>> watermarks(DataStream<Integer> values) {
        return values.keyBy(v -> 0)
                .transform(
                        "watermarks",
                        Types.TUPLE(Types.LONG, Types.INT),
                        new WatermarksAndRecords());
    }

    /** Emits (watermark, records seen before it) for every watermark that reaches it. */
    static class WatermarksAndRecords extends AbstractStreamOperator<Tuple2<Long, Integer>>
            implements OneInputStreamOperator<Integer, Tuple2<Long, Integer>> {

        private int records;

        @Override
        public void processElement(StreamRecord<Integer> element) {
            records++;
        }

        @Override
        public void processWatermark(Watermark mark) throws Exception {
            output.collect(new StreamRecord<>(Tuple2.of(mark.getTimestamp(), records)));
            super.processWatermark(mark);
        }
    }
}
