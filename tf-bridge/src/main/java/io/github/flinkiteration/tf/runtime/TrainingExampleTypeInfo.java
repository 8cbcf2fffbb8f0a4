package io.github.flinkiteration.tf.runtime;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The Flink type of {@link TrainingExample}, which {@code
 * TypeInformation.of(TrainingExample.class)} finds through the class's {@code @TypeInfo}:
 * serialized by {@link TrainingExampleSerializer}.
 */
public final class TrainingExampleTypeInfo extends TypeInformation<TrainingExample> {

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
    public Class<TrainingExample> getTypeClass() {
        return TrainingExample.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<TrainingExample> createSerializer(SerializerConfig config) {
        return new TrainingExampleSerializer();
    }

    @Override
    public String toString() {
        return "TrainingExample";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TrainingExampleTypeInfo;
    }

    @Override
    public int hashCode() {
        return TrainingExampleTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object other) {
        return other instanceof TrainingExampleTypeInfo;
    }

    /** What {@code @TypeInfo} on {@link TrainingExample} names. */
    public static final class Factory extends TypeInfoFactory<TrainingExample> {
        @Override
        public TypeInformation<TrainingExample> createTypeInfo(
                Type type, Map<String, TypeInformation<?>> genericParameters) {
            return new TrainingExampleTypeInfo();
        }
    }
}
