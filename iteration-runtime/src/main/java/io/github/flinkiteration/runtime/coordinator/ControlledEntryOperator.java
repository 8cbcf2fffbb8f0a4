package io.github.flinkiteration.runtime.coordinator;

import io.github.flinkiteration.runtime.record.IterationRecord;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Base of the operators where a stream enters the loop and that live until the iteration ends (a
 * variable's head, a constant's replay): input 1 is the stream, input 2 the iteration's control
 * source, which emits nothing and ends at termination.
 *
 * <p>Event-time watermarks, watermark statuses and record attributes stop here on purpose: inside
 * the loop, watermarks are round numbers.
 */
public abstract class ControlledEntryOperator<T> extends AbstractStreamOperator<IterationRecord<T>>
        implements TwoInputStreamOperator<T, Void, IterationRecord<T>>, BoundedMultiInput {

    private static final long serialVersionUID = 1L;

    protected ControlledEntryOperator(StreamOperatorParameters<IterationRecord<T>> parameters) {
        super(parameters);
    }

    @Override
    public final void processElement2(StreamRecord<Void> element) {}

    @Override
    public final void processWatermark1(Watermark mark) {}

    @Override
    public final void processWatermark2(Watermark mark) {}

    @Override
    protected final void processWatermarkStatus(WatermarkStatus watermarkStatus, int index) {}

    @Override
    public final void processRecordAttributes1(RecordAttributes recordAttributes) {}

    @Override
    public final void processRecordAttributes2(RecordAttributes recordAttributes) {}

    @Override
    public final void processWatermark1(WatermarkEvent watermark) {}

    @Override
    public final void processWatermark2(WatermarkEvent watermark) {}
}
