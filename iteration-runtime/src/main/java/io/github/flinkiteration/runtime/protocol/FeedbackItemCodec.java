package io.github.flinkiteration.runtime.protocol;

import io.github.flinkiteration.runtime.checkpoint.ItemListState;
import io.github.flinkiteration.runtime.record.IterationRecord;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Writes {@link FeedbackItem}s into a checkpoint: the feedback a head holds, and what was inside
 * the channel when the checkpoint cut it (see the feedback channel). The kind bytes are part of the
 * checkpoint format.
 *
 * @param <T> the variable's type
 */
public final class FeedbackItemCodec<T> implements ItemListState.Codec<FeedbackItem> {

    private static final byte RECORD = 0;
    private static final byte RECORD_WITH_TIMESTAMP = 1;
    private static final byte ROUND_MARKER = 2;
    private static final byte ROUND_DECISION = 3;
    private static final byte SERIALIZED_RECORDS = 4;

    private final TypeSerializer<IterationRecord<T>> serializer;

    public FeedbackItemCodec(TypeSerializer<IterationRecord<T>> serializer) {
        this.serializer = serializer;
    }

    @Override
    public void write(FeedbackItem item, DataOutputView out) throws IOException {
        try {
            item.accept(new Writer(out));
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("Could not write " + item, e);
        }
    }

    @Override
    public FeedbackItem read(DataInputView in) throws IOException {
        byte kind = in.readByte();
        switch (kind) {
            case ROUND_MARKER:
                return new RoundMarker(in.readLong());
            case SERIALIZED_RECORDS:
                long round = in.readLong();
                int count = in.readInt();
                byte[] bytes = new byte[in.readInt()];
                in.readFully(bytes);
                return new SerializedFeedback(round, bytes, bytes.length, count);
            case ROUND_DECISION:
                return new RoundDecision(in.readLong(), in.readBoolean());
            case RECORD_WITH_TIMESTAMP:
                long timestamp = in.readLong();
                return new FeedbackRecord<>(
                        new StreamRecord<>(serializer.deserialize(in), timestamp));
            case RECORD:
                return new FeedbackRecord<>(new StreamRecord<>(serializer.deserialize(in)));
            default:
                throw new IOException("Unknown feedback item kind " + kind);
        }
    }

    private final class Writer implements FeedbackItem.Handler {
        private final DataOutputView out;

        Writer(DataOutputView out) {
            this.out = out;
        }

        @Override
        @SuppressWarnings("unchecked")
        public void onRecord(FeedbackRecord<?> item) throws IOException {
            StreamRecord<IterationRecord<T>> record = ((FeedbackRecord<T>) item).get();
            if (record.hasTimestamp()) {
                out.writeByte(RECORD_WITH_TIMESTAMP);
                out.writeLong(record.getTimestamp());
            } else {
                out.writeByte(RECORD);
            }
            serializer.serialize(record.getValue(), out);
        }

        @Override
        public void onChunk(SerializedFeedback chunk) throws IOException {
            out.writeByte(SERIALIZED_RECORDS);
            out.writeLong(chunk.round());
            out.writeInt(chunk.count());
            out.writeInt(chunk.length());
            out.write(chunk.bytes(), 0, chunk.length());
        }

        @Override
        public void onMarker(RoundMarker marker) throws IOException {
            out.writeByte(ROUND_MARKER);
            out.writeLong(marker.round);
        }

        @Override
        public void onDecision(RoundDecision decision) throws IOException {
            out.writeByte(ROUND_DECISION);
            out.writeLong(decision.round);
            out.writeBoolean(decision.stop);
        }
    }
}
