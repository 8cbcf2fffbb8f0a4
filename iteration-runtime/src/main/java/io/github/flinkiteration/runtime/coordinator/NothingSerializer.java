package io.github.flinkiteration.runtime.coordinator;

import org.apache.flink.core.io.SimpleVersionedSerializer;

/** Serializes a value that carries no information into zero bytes. */
final class NothingSerializer<T> implements SimpleVersionedSerializer<T> {

    private final T value;

    NothingSerializer(T value) {
        this.value = value;
    }

    @Override
    public int getVersion() {
        return 1;
    }

    @Override
    public byte[] serialize(T obj) {
        return new byte[0];
    }

    @Override
    public T deserialize(int version, byte[] serialized) {
        return value;
    }
}
