package io.github.flinkiteration.runtime.checkpoint;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A sequence of items kept in operator list state, written with the operator's own serializers into
 * chunks of about a megabyte.
 *
 * <p>The runtime checkpoints mixed sequences (feedback records next to round markers, held records
 * of several inputs) whose element types are the user's. Writing them through a codec avoids a
 * composite {@code TypeSerializer} with its own snapshot and evolution rules for state that is only
 * ever restored by the same iteration; chunks keep any single state entry small.
 */
public final class ItemListState<X> {

    /** Writes and reads one item. */
    public interface Codec<X> {
        void write(X item, DataOutputView out) throws IOException;

        X read(DataInputView in) throws IOException;
    }

    private static final int CHUNK_BYTES = 1 << 20;

    private final ListState<byte[]> chunks;
    private final Codec<X> codec;

    private ItemListState(ListState<byte[]> chunks, Codec<X> codec) {
        this.chunks = chunks;
        this.codec = codec;
    }

    /** Registers (or, on restore, finds) the state {@code name} in {@code store}. */
    public static <X> ItemListState<X> register(
            OperatorStateStore store, String name, Codec<X> codec) throws Exception {
        return new ItemListState<>(
                store.getListState(
                        new ListStateDescriptor<>(name, BytePrimitiveArraySerializer.INSTANCE)),
                codec);
    }

    /** Replaces the stored items. */
    public void update(Iterable<? extends X> items) throws Exception {
        List<byte[]> written = new ArrayList<>();
        DataOutputSerializer buffer = new DataOutputSerializer(4096);
        for (X item : items) {
            codec.write(item, buffer);
            if (buffer.length() >= CHUNK_BYTES) {
                written.add(buffer.getCopyOfBuffer());
                buffer.clear();
            }
        }
        if (buffer.length() > 0) {
            written.add(buffer.getCopyOfBuffer());
        }
        chunks.update(written);
    }

    /** The stored items, in the order they were stored. */
    public List<X> get() throws Exception {
        List<X> items = new ArrayList<>();
        Iterable<byte[]> stored = chunks.get();
        if (stored == null) {
            return items;
        }
        for (byte[] chunk : stored) {
            DataInputDeserializer in = new DataInputDeserializer(chunk);
            while (in.available() > 0) {
                items.add(codec.read(in));
            }
        }
        return items;
    }
}
