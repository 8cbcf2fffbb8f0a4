package io.github.flinkiteration.flinkml;

import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.Collector;

/** A plain operator that listens to epochs: emits each epoch watermark it receives. */
class EpochOperator extends AbstractStreamOperator<Integer>
        implements OneInputStreamOperator<Integer, Integer>, IterationListener<Integer> {

    @Override
    public void processElement(StreamRecord<Integer> element) {}

    @Override
    public void onEpochWatermarkIncremented(
            int epochWatermark, Context context, Collector<Integer> collector) {
        collector.collect(epochWatermark);
    }

    @Override
    public void onIterationTerminated(Context context, Collector<Integer> collector) {}
}
