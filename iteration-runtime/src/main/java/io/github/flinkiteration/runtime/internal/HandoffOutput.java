package io.github.flinkiteration.runtime.internal;

import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.ExceptionInChainedOperatorException;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.OutputTag;

/**
 * An operator's output that hands its main records to a {@link ChainedHandoff.Target} once one is
 * set, and everything else (side outputs, watermarks, markers) to Flink's output as before.
 */
public final class HandoffOutput<T> implements Output<StreamRecord<T>> {

    private final Output<StreamRecord<T>> output;
    private ChainedHandoff.Target<T> target;

    public HandoffOutput(Output<StreamRecord<T>> output) {
        this.output = output;
    }

    /** From now on main records go to {@code target}; null sends them through Flink again. */
    public void handOverTo(ChainedHandoff.Target<T> target) {
        this.target = target;
    }

    /** Whether main records go to a receiver, which keeps no {@code StreamRecord} it is handed. */
    public boolean handsOver() {
        return target != null;
    }

    @Override
    public void collect(StreamRecord<T> record) {
        if (target == null) {
            output.collect(record);
            return;
        }
        try {
            target.handOver(record);
        } catch (Exception e) {
            // As Flink's chaining output reports a failure of the operator behind it.
            throw new ExceptionInChainedOperatorException(e);
        }
    }

    @Override
    public <X> void collect(OutputTag<X> outputTag, StreamRecord<X> record) {
        output.collect(outputTag, record);
    }

    @Override
    public void emitWatermark(Watermark mark) {
        output.emitWatermark(mark);
    }

    @Override
    public void emitWatermarkStatus(WatermarkStatus watermarkStatus) {
        output.emitWatermarkStatus(watermarkStatus);
    }

    @Override
    public void emitLatencyMarker(LatencyMarker latencyMarker) {
        output.emitLatencyMarker(latencyMarker);
    }

    @Override
    public void emitRecordAttributes(RecordAttributes recordAttributes) {
        output.emitRecordAttributes(recordAttributes);
    }

    @Override
    public void emitWatermark(WatermarkEvent watermark) {
        output.emitWatermark(watermark);
    }

    @Override
    public void close() {
        output.close();
    }
}
