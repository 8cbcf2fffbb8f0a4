package io.github.flinkiteration.runtime.record;

import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes the round as a {@link VarLong} (one byte below round 128), then the value with the value's
 * own serializer.
 */
public final class IterationRecordSerializer<T> extends TypeSerializer<IterationRecord<T>> {

    private static final long serialVersionUID = 1L;

    private final TypeSerializer<T> valueSerializer;

    public IterationRecordSerializer(TypeSerializer<T> valueSerializer) {
        this.valueSerializer = Objects.requireNonNull(valueSerializer);
    }

    public TypeSerializer<T> getValueSerializer() {
        return valueSerializer;
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<IterationRecord<T>> duplicate() {
        TypeSerializer<T> duplicated = valueSerializer.duplicate();
        return duplicated == valueSerializer ? this : new IterationRecordSerializer<>(duplicated);
    }

    @Override
    public IterationRecord<T> createInstance() {
        return new IterationRecord<>(0, valueSerializer.createInstance());
    }

    @Override
    public IterationRecord<T> copy(IterationRecord<T> from) {
        return new IterationRecord<>(from.getRound(), valueSerializer.copy(from.getValue()));
    }

    @Override
    public IterationRecord<T> copy(IterationRecord<T> from, IterationRecord<T> reuse) {
        reuse.setRound(from.getRound());
        reuse.setValue(valueSerializer.copy(from.getValue()));
        return reuse;
    }

    @Override
    public int getLength() {
        // The round's length varies with the round.
        return -1;
    }

    @Override
    public void serialize(IterationRecord<T> record, DataOutputView target) throws IOException {
        VarLong.write(record.getRound(), target);
        valueSerializer.serialize(record.getValue(), target);
    }

    @Override
    public IterationRecord<T> deserialize(DataInputView source) throws IOException {
        long round = VarLong.read(source);
        return new IterationRecord<>(round, valueSerializer.deserialize(source));
    }

    @Override
    public IterationRecord<T> deserialize(IterationRecord<T> reuse, DataInputView source)
            throws IOException {
        reuse.setRound(VarLong.read(source));
        reuse.setValue(valueSerializer.deserialize(source));
        return reuse;
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        VarLong.copy(source, target);
        valueSerializer.copy(source, target);
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof IterationRecordSerializer
                && valueSerializer.equals(((IterationRecordSerializer<?>) obj).valueSerializer);
    }

    @Override
    public int hashCode() {
        return valueSerializer.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<IterationRecord<T>> snapshotConfiguration() {
        return new IterationRecordSerializerSnapshot<>(this);
    }
}
