package io.github.flinkiteration.runtime.record;

import java.util.Objects;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Type information of {@link IterationRecord}s carrying values of one type. */
public final class IterationRecordTypeInfo<T> extends TypeInformation<IterationRecord<T>> {

    private static final long serialVersionUID = 1L;

    private final TypeInformation<T> valueType;

    public IterationRecordTypeInfo(TypeInformation<T> valueType) {
        this.valueType = Objects.requireNonNull(valueType);
    }

    public TypeInformation<T> getValueType() {
        return valueType;
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Class<IterationRecord<T>> getTypeClass() {
        return (Class) IterationRecord.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<IterationRecord<T>> createSerializer(SerializerConfig config) {
        return new IterationRecordSerializer<>(valueType.createSerializer(config));
    }

    @Override
    public String toString() {
        return "IterationRecord<" + valueType + ">";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof IterationRecordTypeInfo
                && valueType.equals(((IterationRecordTypeInfo<?>) obj).valueType);
    }

    @Override
    public int hashCode() {
        return valueType.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof IterationRecordTypeInfo;
    }
}
