package io.github.flinkiteration.runtime.record;

import org.apache.flink.api.common.typeutils.CompositeTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;

/** Snapshot of an {@link IterationRecordSerializer}: the value serializer's snapshot. */
public final class IterationRecordSerializerSnapshot<T>
        extends CompositeTypeSerializerSnapshot<IterationRecord<T>, IterationRecordSerializer<T>> {

    // 2: the round is a VarLong (it was an int). Records written under version 1 cannot be read
    // with the new format, so such a snapshot is declared incompatible rather than misread.
    private static final int VERSION = 2;

    private int readVersion = VERSION;

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
    protected void readOuterSnapshot(
            int readOuterSnapshotVersion, DataInputView in, ClassLoader userCodeClassLoader) {
        readVersion = readOuterSnapshotVersion;
    }

    @Override
    protected OuterSchemaCompatibility resolveOuterSchemaCompatibility(
            TypeSerializerSnapshot<IterationRecord<T>> oldSerializerSnapshot) {
        if (oldSerializerSnapshot instanceof IterationRecordSerializerSnapshot
                && ((IterationRecordSerializerSnapshot<?>) oldSerializerSnapshot).readVersion
                        < VERSION) {
            return OuterSchemaCompatibility.INCOMPATIBLE;
        }
        return OuterSchemaCompatibility.COMPATIBLE_AS_IS;
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
