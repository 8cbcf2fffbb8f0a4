package io.github.flinkiteration.runtime.wrapper;

import io.github.flinkiteration.runtime.internal.ChainedHandoff;
import io.github.flinkiteration.runtime.internal.HandoffOutput;
import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.record.IterationRecordTypeInfo;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.OutputTag;

/**
 * The output a wrapped operator writes to: it tags every value with the round the wrapper is
 * processing and passes it on.
 *
 * <p>Watermarks, watermark statuses and record attributes of the wrapped operator are dropped on
 * purpose: inside the loop watermarks carry round numbers, and an operator's own event-time
 * watermark would be mistaken for one.
 */
final class RoundTaggingOutput<T> implements Output<StreamRecord<T>> {

    private final HandoffOutput<IterationRecord<T>> output;
    private final StreamRecord<IterationRecord<T>> reusedRecord =
            new StreamRecord<>(new IterationRecord<>());
    private final Map<String, OutputTag<?>> roundTags = new HashMap<>();
    private long round;
    private long emitted;

    RoundTaggingOutput(Output<StreamRecord<IterationRecord<T>>> output) {
        this.output = new HandoffOutput<>(output);
    }

    /**
     * Hands tagged records straight to {@code target} (see {@link ChainedHandoff}); it does not get
     * them to keep: the tagged record is reused and the value stays the operator's.
     */
    void handOverTo(ChainedHandoff.Target<IterationRecord<T>> target) {
        output.handOverTo(target);
    }

    void setRound(long round) {
        this.round = round;
    }

    long getRound() {
        return round;
    }

    /** How many records went out so far, side outputs included. */
    long emitted() {
        return emitted;
    }

    @Override
    public void collect(StreamRecord<T> record) {
        emitted++;
        IterationRecord<T> tagged = reusedRecord.getValue();
        tagged.setRound(round);
        tagged.setValue(record.getValue());
        copyTimestamp(record, reusedRecord);
        output.collect(reusedRecord);
    }

    @Override
    public <X> void collect(OutputTag<X> outputTag, StreamRecord<X> record) {
        emitted++;
        StreamRecord<IterationRecord<X>> tagged =
                new StreamRecord<>(new IterationRecord<>(round, record.getValue()));
        copyTimestamp(record, tagged);
        output.collect(roundTag(outputTag), tagged);
    }

    @SuppressWarnings("unchecked")
    private <X> OutputTag<IterationRecord<X>> roundTag(OutputTag<X> valueTag) {
        return (OutputTag<IterationRecord<X>>)
                roundTags.computeIfAbsent(
                        valueTag.getId(),
                        id ->
                                new OutputTag<>(
                                        id, new IterationRecordTypeInfo<>(valueTag.getTypeInfo())));
    }

    private static void copyTimestamp(StreamRecord<?> from, StreamRecord<?> to) {
        if (from.hasTimestamp()) {
            to.setTimestamp(from.getTimestamp());
        } else {
            to.eraseTimestamp();
        }
    }

    @Override
    public void emitWatermark(Watermark mark) {}

    @Override
    public void emitWatermarkStatus(WatermarkStatus watermarkStatus) {}

    @Override
    public void emitLatencyMarker(LatencyMarker latencyMarker) {
        output.emitLatencyMarker(latencyMarker);
    }

    @Override
    public void emitRecordAttributes(RecordAttributes recordAttributes) {}

    @Override
    public void emitWatermark(WatermarkEvent watermark) {}

    @Override
    public void close() {}
}
