package io.github.flinkiteration.runtime.perround;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.CheckpointableKeyedStateBackend;
import org.apache.flink.runtime.state.KeyGroupedInternalPriorityQueue;
import org.apache.flink.runtime.state.Keyed;
import org.apache.flink.runtime.state.OperatorStateBackend;
import org.apache.flink.runtime.state.PriorityComparable;
import org.apache.flink.runtime.state.heap.HeapPriorityQueueElement;
import org.apache.flink.runtime.state.internal.InternalKvState;
import org.apache.flink.util.InstantiationUtil;

/**
 * Every state a per-round operator registered, in any round, so that the end of a round can empty
 * all of it: keyed states (with their namespace serializer), timer queues, and operator list, union
 * and broadcast states. The states keep their names from round to round, so nothing accumulates in
 * the backend (no new RocksDB column family per round); their contents are removed.
 *
 * <p>It goes into checkpoints: after a restore, a state registered before the failure is emptied at
 * the round's end even if the restored instance never registers it again.
 */
public final class PerRoundStateRegistry implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Map<String, Tuple2<TypeSerializer<?>, StateDescriptor<?, ?>>> keyed =
            new LinkedHashMap<>();
    private final Map<String, TypeSerializer<?>> queues = new LinkedHashMap<>();
    private final Map<String, ListStateDescriptor<?>> lists = new LinkedHashMap<>();
    private final Map<String, ListStateDescriptor<?>> unionLists = new LinkedHashMap<>();
    private final Map<String, MapStateDescriptor<?, ?>> broadcasts = new LinkedHashMap<>();

    void addKeyed(TypeSerializer<?> namespaceSerializer, StateDescriptor<?, ?> descriptor) {
        keyed.putIfAbsent(descriptor.getName(), Tuple2.of(namespaceSerializer, descriptor));
    }

    // A backend registers a queue name once: later rounds (and the clearing) reuse the object.
    private transient Map<String, KeyGroupedInternalPriorityQueue<?>> queueObjects;

    /** The queue of that name, created in {@code backend} the first time only. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    <T extends HeapPriorityQueueElement & PriorityComparable<? super T> & Keyed<?>>
            KeyGroupedInternalPriorityQueue<T> queue(
                    CheckpointableKeyedStateBackend<?> backend,
                    String name,
                    TypeSerializer<T> elementSerializer) {
        queues.putIfAbsent(name, elementSerializer);
        if (queueObjects == null) {
            queueObjects = new HashMap<>();
        }
        return (KeyGroupedInternalPriorityQueue<T>)
                queueObjects.computeIfAbsent(
                        name, n -> backend.create(n, (TypeSerializer) elementSerializer));
    }

    void addList(ListStateDescriptor<?> descriptor) {
        lists.putIfAbsent(descriptor.getName(), descriptor);
    }

    void addUnionList(ListStateDescriptor<?> descriptor) {
        unionLists.putIfAbsent(descriptor.getName(), descriptor);
    }

    void addBroadcast(MapStateDescriptor<?, ?> descriptor) {
        broadcasts.putIfAbsent(descriptor.getName(), descriptor);
    }

    /** Removes every entry of every registered state from the two backends. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <K> void clear(CheckpointableKeyedStateBackend<K> keyedBackend, OperatorStateBackend op)
            throws Exception {
        if (keyedBackend != null) {
            K currentKey = keyedBackend.getCurrentKey();
            for (Tuple2<TypeSerializer<?>, StateDescriptor<?, ?>> entry : keyed.values()) {
                State state =
                        keyedBackend.getOrCreateKeyedState(
                                (TypeSerializer) entry.f0, (StateDescriptor) entry.f1);
                List<Tuple2<K, Object>> entries = new ArrayList<>();
                // Collected first: clearing while the backend iterates is not allowed.
                keyedBackend.getKeysAndNamespaces(entry.f1.getName()).forEach(entries::add);
                for (Tuple2<K, Object> keyAndNamespace : entries) {
                    keyedBackend.setCurrentKey(keyAndNamespace.f0);
                    ((InternalKvState) state).setCurrentNamespace(keyAndNamespace.f1);
                    state.clear();
                }
            }
            for (Map.Entry<String, TypeSerializer<?>> queue : queues.entrySet()) {
                KeyGroupedInternalPriorityQueue<?> elements =
                        queue(keyedBackend, queue.getKey(), (TypeSerializer) queue.getValue());
                while (elements.poll() != null) {
                    // drained
                }
            }
            if (currentKey != null) {
                keyedBackend.setCurrentKey(currentKey);
            }
        }
        if (op != null) {
            for (ListStateDescriptor<?> descriptor : lists.values()) {
                op.getListState(descriptor).clear();
            }
            for (ListStateDescriptor<?> descriptor : unionLists.values()) {
                op.getUnionListState(descriptor).clear();
            }
            for (MapStateDescriptor<?, ?> descriptor : broadcasts.values()) {
                BroadcastState<?, ?> state = op.getBroadcastState(descriptor);
                state.clear();
            }
        }
    }

    /** Registrations of both registries. */
    public void addAll(PerRoundStateRegistry other) {
        other.keyed.forEach(keyed::putIfAbsent);
        other.queues.forEach(queues::putIfAbsent);
        other.lists.forEach(lists::putIfAbsent);
        other.unionLists.forEach(unionLists::putIfAbsent);
        other.broadcasts.forEach(broadcasts::putIfAbsent);
    }

    public byte[] toBytes() throws IOException {
        return InstantiationUtil.serializeObject(this);
    }

    public static PerRoundStateRegistry fromBytes(byte[] bytes, ClassLoader classLoader)
            throws IOException, ClassNotFoundException {
        return InstantiationUtil.deserializeObject(bytes, classLoader);
    }
}
