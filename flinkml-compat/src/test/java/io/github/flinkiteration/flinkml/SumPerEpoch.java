package io.github.flinkiteration.flinkml;

import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * A user function that listens to epochs: emits (epoch, sum of the epoch's values) at each epoch
 * watermark, and (-1, number of epochs seen) when the iteration terminates.
 */
class SumPerEpoch extends ProcessFunction<Integer, Tuple2<Integer, Integer>>
        implements IterationListener<Tuple2<Integer, Integer>> {

    private int sum;
    private int epochs;

    @Override
    public void processElement(
            Integer value,
            ProcessFunction<Integer, Tuple2<Integer, Integer>>.Context ctx,
            Collector<Tuple2<Integer, Integer>> out) {
        sum += value;
    }

    @Override
    public void onEpochWatermarkIncremented(
            int epochWatermark,
            IterationListener.Context context,
            Collector<Tuple2<Integer, Integer>> collector) {
        collector.collect(Tuple2.of(epochWatermark, sum));
        sum = 0;
        epochs++;
    }

    @Override
    public void onIterationTerminated(
            IterationListener.Context context, Collector<Tuple2<Integer, Integer>> collector) {
        collector.collect(Tuple2.of(-1, epochs));
    }
}
