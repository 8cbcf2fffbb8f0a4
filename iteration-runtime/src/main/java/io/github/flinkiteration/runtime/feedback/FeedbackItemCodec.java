package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.runtime.checkpoint.ItemListState;
import io.github.flinkiteration.runtime.progress.RoundDecision;
import io.github.flinkiteration.runtime.record.IterationRecord;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Writes what travels through a {@link FeedbackChannel}: records, round markers and round
 * decisions.
 */
final class FeedbackItemCodec<T> implements ItemListState.Codec<Object> {

    private static final byte RECORD = 0;
    private static final byte RECORD_WITH_TIMESTAMP = 1;
    private static final byte ROUND_MARKER = 2;
    private static final byte ROUND_DECISION = 3;
    private static final byte SERIALIZED_RECORDS = 4;

    private final TypeSerializer<IterationRecord<T>> serializer;

    FeedbackItemCodec(TypeSerializer<IterationRecord<T>> serializer) {
        this.serializer = serializer;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void write(Object item, DataOutputView out) throws IOException {
        if (item instanceof RoundMarker) {
            out.writeByte(ROUND_MARKER);
            out.writeLong(((RoundMarker) item).round);
            return;
        }
        if (item instanceof SerializedFeedback) {
            SerializedFeedback chunk = (SerializedFeedback) item;
            out.writeByte(SERIALIZED_RECORDS);
            out.writeInt(chunk.round);
            out.writeInt(chunk.count);
            out.writeInt(chunk.length);
            out.write(chunk.bytes, 0, chunk.length);
            return;
        }
        if (item instanceof RoundDecision) {
            out.writeByte(ROUND_DECISION);
            out.writeInt(((RoundDecision) item).round);
            out.writeBoolean(((RoundDecision) item).stop);
            return;
        }
        StreamRecord<IterationRecord<T>> record = (StreamRecord<IterationRecord<T>>) item;
        if (record.hasTimestamp()) {
            out.writeByte(RECORD_WITH_TIMESTAMP);
            out.writeLong(record.getTimestamp());
        } else {
            out.writeByte(RECORD);
        }
        serializer.serialize(record.getValue(), out);
    }

    @Override
    public Object read(DataInputView in) throws IOException {
        byte kind = in.readByte();
        switch (kind) {
            case ROUND_MARKER:
                return new RoundMarker(in.readLong());
            case SERIALIZED_RECORDS:
                int round = in.readInt();
                int count = in.readInt();
                byte[] bytes = new byte[in.readInt()];
                in.readFully(bytes);
                return new SerializedFeedback(round, bytes, bytes.length, count);
            case ROUND_DECISION:
                return new RoundDecision(in.readInt(), in.readBoolean());
            case RECORD_WITH_TIMESTAMP:
                long timestamp = in.readLong();
                return new StreamRecord<>(serializer.deserialize(in), timestamp);
            case RECORD:
                return new StreamRecord<>(serializer.deserialize(in));
            default:
                throw new IOException("Unknown feedback item kind " + kind);
        }
    }
}
