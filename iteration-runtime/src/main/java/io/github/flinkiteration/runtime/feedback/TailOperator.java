package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.runtime.record.IterationRecord;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Where a feedback stream ends: each record moves to the next round and goes, with every round
 * watermark, through the {@link FeedbackChannel} to the co-located head subtask.
 */
public final class TailOperator<T> extends AbstractStreamOperator<Void>
        implements OneInputStreamOperator<IterationRecord<T>, Void> {

    private static final long serialVersionUID = 1L;

    private final String iterationId;
    private final String variable;

    private transient FeedbackChannel channel;
    private transient String channelKey;
    private transient TypeSerializer<IterationRecord<T>> copier;

    public TailOperator(String iterationId, String variable) {
        this.iterationId = iterationId;
        this.variable = variable;
    }

    @Override
    public void open() throws Exception {
        super.open();
        channelKey =
                FeedbackChannels.key(
                        iterationId,
                        variable,
                        getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                        getRuntimeContext().getTaskInfo().getAttemptNumber());
        channel = FeedbackChannels.acquire(getContainingTask(), channelKey, this);
        if (getExecutionConfig().isObjectReuseEnabled()) {
            // With object reuse a chained upstream operator may change the value after emitting
            // it, while the head still holds it: hand over a copy.
            copier = config.getTypeSerializerIn(0, getUserCodeClassloader());
        }
    }

    @Override
    public void processElement(StreamRecord<IterationRecord<T>> element) {
        if (copier == null) {
            // Without object reuse this record is the tail's own: Flink copied it for this chained
            // operator or deserialized it from the network. Move it to the next round in place.
            IterationRecord<T> record = element.getValue();
            record.setRound(record.getRound() + 1);
            channel.put(element);
            return;
        }
        IterationRecord<T> record = copier.copy(element.getValue());
        record.setRound(record.getRound() + 1);
        channel.put(
                element.hasTimestamp()
                        ? new StreamRecord<>(record, element.getTimestamp())
                        : new StreamRecord<>(record));
    }

    @Override
    public void processWatermark(Watermark mark) {
        channel.put(new RoundMarker(mark.getTimestamp()));
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus watermarkStatus) {}

    @Override
    public void processRecordAttributes(RecordAttributes recordAttributes) {}

    @Override
    public void processWatermark(WatermarkEvent watermark) {}

    @Override
    public void close() throws Exception {
        if (channel != null) {
            FeedbackChannels.release(getContainingTask(), channelKey, this);
            channel = null;
        }
        super.close();
    }
}
