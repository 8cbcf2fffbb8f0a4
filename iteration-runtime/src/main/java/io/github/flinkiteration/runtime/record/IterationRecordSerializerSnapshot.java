package io.github.flinkiteration.runtime.record;

import org.apache.flink.api.common.typeutils.CompositeTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Snapshot of an {@link IterationRecordSerializer}: the value serializer's snapshot. */
public final class IterationRecordSerializerSnapshot<T>
        extends CompositeTypeSerializerSnapshot<IterationRecord<T>, IterationRecordSerializer<T>> {

    private static final int VERSION = 1;

    /** For reading a snapshot back. */
    public IterationRecordSerializerSnapshot() {}

    IterationRecordSerializerSnapshot(IterationRecordSerializer<T> serializer) {
        super(serializer);
    }

    @Override
    protected int getCurrentOuterSnapshotVersion() {
        return VERSION;
    }

    @Override
    protected TypeSerializer<?>[] getNestedSerializers(IterationRecordSerializer<T> outer) {
        return new TypeSerializer<?>[] {outer.getValueSerializer()};
    }

    @Override
    @SuppressWarnings("unchecked")
    protected IterationRecordSerializer<T> createOuterSerializerWithNestedSerializers(
            TypeSerializer<?>[] nested) {
        return new IterationRecordSerializer<>((TypeSerializer<T>) nested[0]);
    }
}
