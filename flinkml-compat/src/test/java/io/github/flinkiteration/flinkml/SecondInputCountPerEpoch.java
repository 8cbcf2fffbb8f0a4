package io.github.flinkiteration.flinkml;

import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.functions.co.CoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Counts the records of its second input per epoch and emits (epoch, count); the first input (a
 * variable) only makes the operator hear every epoch.
 */
class SecondInputCountPerEpoch<A, B> extends CoProcessFunction<A, B, Tuple2<Integer, Integer>>
        implements IterationListener<Tuple2<Integer, Integer>> {

    private int count;

    @Override
    public void processElement1(
            A value,
            CoProcessFunction<A, B, Tuple2<Integer, Integer>>.Context ctx,
            Collector<Tuple2<Integer, Integer>> out) {}

    @Override
    public void processElement2(
            B value,
            CoProcessFunction<A, B, Tuple2<Integer, Integer>>.Context ctx,
            Collector<Tuple2<Integer, Integer>> out) {
        count++;
    }

    @Override
    public void onEpochWatermarkIncremented(
            int epochWatermark,
            IterationListener.Context context,
            Collector<Tuple2<Integer, Integer>> collector) {
        collector.collect(Tuple2.of(epochWatermark, count));
        count = 0;
    }

    @Override
    public void onIterationTerminated(
            IterationListener.Context context, Collector<Tuple2<Integer, Integer>> collector) {}
}
