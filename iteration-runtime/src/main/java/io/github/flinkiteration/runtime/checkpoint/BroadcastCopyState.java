package io.github.flinkiteration.runtime.checkpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * A subtask's share of a broadcast stream that a checkpoint cut in flight, kept so that a restore
 * at another parallelism still gives every subtask one whole copy.
 *
 * <p>Every subtask of a broadcast receives the same records, but each cut its copy at its own
 * place, so the copies differ. Split list state would deal the items of all copies out among the
 * new subtasks (some would get a record twice, some not at all); this keeps one entry per old
 * subtask in union state, and new subtask {@code i} takes the copy of old subtask {@code i mod old
 * parallelism}: its own, when the parallelism stays.
 *
 * @param <X> the items kept
 */
public final class BroadcastCopyState<X> {

    private final ListState<byte[]> entries;
    private final ItemListState.Codec<X> codec;

    private BroadcastCopyState(ListState<byte[]> entries, ItemListState.Codec<X> codec) {
        this.entries = entries;
        this.codec = codec;
    }

    /** Registers (or, on restore, finds) the state {@code name} in {@code store}. */
    public static <X> BroadcastCopyState<X> register(
            OperatorStateStore store, String name, ItemListState.Codec<X> codec) throws Exception {
        return new BroadcastCopyState<>(
                store.getUnionListState(
                        new ListStateDescriptor<>(name, BytePrimitiveArraySerializer.INSTANCE)),
                codec);
    }

    /** Replaces the copy of subtask {@code subtask}, which may be empty. */
    public void update(int subtask, List<? extends X> items) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        // An entry even for an empty copy: a restore counts the entries to learn the old
        // parallelism.
        out.writeInt(subtask);
        out.writeInt(items.size());
        for (X item : items) {
            codec.write(item, out);
        }
        entries.update(List.of(out.getCopyOfBuffer()));
    }

    /** The copy that subtask {@code subtask} restores: see the class comment. */
    public List<X> restore(int subtask) throws Exception {
        TreeMap<Integer, byte[]> copies = new TreeMap<>();
        Iterable<byte[]> stored = entries.get();
        if (stored != null) {
            for (byte[] entry : stored) {
                copies.put(new DataInputDeserializer(entry).readInt(), entry);
            }
        }
        List<X> items = new ArrayList<>();
        if (copies.isEmpty()) {
            return items;
        }
        DataInputDeserializer in = new DataInputDeserializer(copies.get(subtask % copies.size()));
        in.readInt();
        for (int count = in.readInt(); count > 0; count--) {
            items.add(codec.read(in));
        }
        return items;
    }
}
