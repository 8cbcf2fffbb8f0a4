package io.github.flinkiteration.runtime.protocol;

import io.github.flinkiteration.runtime.record.IterationRecord;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.function.ThrowingConsumer;

/**
 * Feedback records of one round, one by one ({@link FeedbackRecord}) or serialized in a chunk
 * ({@link SerializedFeedback}): what a head holds, counts and emits, whichever form it came in.
 */
public sealed interface RoundFeedback extends FeedbackItem
        permits FeedbackRecord, SerializedFeedback {

    /** The round these records enter. */
    long round();

    /** How many records this is. */
    int count();

    /** The bytes of the serialized records; 0 for a record handed over as an object. */
    int serializedBytes();

    /** Hands each record, in the order it was fed back, to {@code out}. */
    <T> void emit(
            TypeSerializer<T> valueSerializer,
            ThrowingConsumer<StreamRecord<IterationRecord<T>>, Exception> out)
            throws Exception;
}
