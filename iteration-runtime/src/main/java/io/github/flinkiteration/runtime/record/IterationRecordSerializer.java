package io.github.flinkiteration.runtime.record;

import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Writes the round as an int, then the value with the value's own serializer. */
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
        int valueLength = valueSerializer.getLength();
        return valueLength < 0 ? -1 : Integer.BYTES + valueLength;
    }

    @Override
    public void serialize(IterationRecord<T> record, DataOutputView target) throws IOException {
        target.writeInt(record.getRound());
        valueSerializer.serialize(record.getValue(), target);
    }

    @Override
    public IterationRecord<T> deserialize(DataInputView source) throws IOException {
        int round = source.readInt();
        return new IterationRecord<>(round, valueSerializer.deserialize(source));
    }

    @Override
    public IterationRecord<T> deserialize(IterationRecord<T> reuse, DataInputView source)
            throws IOException {
        reuse.setRound(source.readInt());
        reuse.setValue(valueSerializer.deserialize(source));
        return reuse;
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        target.writeInt(source.readInt());
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
