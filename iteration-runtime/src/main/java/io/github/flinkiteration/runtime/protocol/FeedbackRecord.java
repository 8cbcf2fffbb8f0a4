package io.github.flinkiteration.runtime.protocol;

import io.github.flinkiteration.runtime.record.IterationRecord;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.function.ThrowingConsumer;

/**
 * One record fed back, already moved to the round it enters, with its timestamp if it has one.
 *
 * @param <T> the variable's type
 */
public final class FeedbackRecord<T> implements RoundFeedback {

    private final StreamRecord<IterationRecord<T>> record;

    public FeedbackRecord(StreamRecord<IterationRecord<T>> record) {
        this.record = record;
    }

    public StreamRecord<IterationRecord<T>> get() {
        return record;
    }

    @Override
    public long round() {
        return record.getValue().getRound();
    }

    @Override
    public int count() {
        return 1;
    }

    @Override
    public int serializedBytes() {
        return 0;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <V> void emit(
            TypeSerializer<V> valueSerializer,
            ThrowingConsumer<StreamRecord<IterationRecord<V>>, Exception> out)
            throws Exception {
        // A head's channel carries records of its own variable only.
        out.accept((StreamRecord<IterationRecord<V>>) (StreamRecord<?>) record);
    }

    @Override
    public void accept(Handler handler) throws Exception {
        handler.onRecord(this);
    }

    @Override
    public String toString() {
        return "FeedbackRecord{" + record + "}";
    }
}
