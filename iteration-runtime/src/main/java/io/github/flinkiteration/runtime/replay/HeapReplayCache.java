package io.github.flinkiteration.runtime.replay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * A {@link ReplayCache} that keeps the records serialized in one growing byte array on the heap:
 * compact, and every read deserializes fresh objects. It does not spill; it is the cache for
 * constants small enough for the heap.
 */
final class HeapReplayCache<T> implements ReplayCache<T> {

    private final TypeSerializer<T> serializer;
    private DataOutputSerializer bytes = new DataOutputSerializer(4096);
    private long size;
    private boolean finished;

    HeapReplayCache(TypeSerializer<T> serializer) {
        this.serializer = serializer;
    }

    @Override
    public void append(T record) throws IOException {
        if (finished) {
            throw new IllegalStateException("The cache was finished; it takes no more records.");
        }
        serializer.serialize(record, bytes);
        size++;
    }

    @Override
    public void finish() {
        finished = true;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public Iterator<T> read() {
        if (!finished) {
            throw new IllegalStateException("The cache is read only after finish().");
        }
        DataInputDeserializer in =
                new DataInputDeserializer(bytes.getSharedBuffer(), 0, bytes.length());
        return new Iterator<>() {
            private long read;

            @Override
            public boolean hasNext() {
                return read < size;
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                read++;
                try {
                    return serializer.deserialize(in);
                } catch (IOException e) {
                    throw new UncheckedIOException("Could not read a cached record", e);
                }
            }
        };
    }

    @Override
    public void close() {
        // Drop the buffer now rather than with the operator.
        bytes = null;
        size = 0;
    }
}
