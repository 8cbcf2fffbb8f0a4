package io.github.flinkiteration.runtime.operator;

import io.github.flinkiteration.runtime.record.IterationRecord;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Brings a data stream into the body: every record becomes a round-0 record. When the stream ends
 * it emits round watermark 0 and then the final watermark, so that operators reading it together
 * with a variable are not held back in later rounds by this finished input.
 *
 * <p>Event-time watermarks of the stream are not carried into the body (there, watermarks are round
 * numbers); record timestamps are.
 */
public final class InputWrapOperator<T> extends AbstractStreamOperator<IterationRecord<T>>
        implements OneInputStreamOperator<T, IterationRecord<T>>, BoundedOneInput {

    private static final long serialVersionUID = 1L;

    @Override
    public void processElement(StreamRecord<T> element) {
        output.collect(element.replace(new IterationRecord<>(0, element.getValue())));
    }

    @Override
    public void processWatermark(Watermark mark) {}

    @Override
    public void processWatermarkStatus(WatermarkStatus watermarkStatus) {}

    @Override
    public void processRecordAttributes(RecordAttributes recordAttributes) {}

    @Override
    public void processWatermark(WatermarkEvent watermark) {}

    @Override
    public void endInput() {
        output.emitWatermark(new Watermark(0));
        output.emitWatermark(Watermark.MAX_WATERMARK);
    }
}
