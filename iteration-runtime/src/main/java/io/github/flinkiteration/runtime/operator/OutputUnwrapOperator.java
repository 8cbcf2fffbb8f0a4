package io.github.flinkiteration.runtime.operator;

import io.github.flinkiteration.runtime.record.IterationRecord;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Takes an output stream out of the iteration: it strips the round from every record. Round
 * watermarks stay inside; only the final watermark passes, when the body has finished.
 */
public final class OutputUnwrapOperator<T> extends AbstractStreamOperator<T>
        implements OneInputStreamOperator<IterationRecord<T>, T> {

    private static final long serialVersionUID = 1L;

    @Override
    public void processElement(StreamRecord<IterationRecord<T>> element) {
        output.collect(element.replace(element.getValue().getValue()));
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        if (mark.getTimestamp() == Long.MAX_VALUE) {
            super.processWatermark(mark);
        }
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus watermarkStatus) {}

    @Override
    public void processRecordAttributes(RecordAttributes recordAttributes) {}

    @Override
    public void processWatermark(WatermarkEvent watermark) {}
}
