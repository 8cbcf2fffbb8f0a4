package io.github.flinkiteration.runtime.perround;

import java.util.List;
import java.util.concurrent.RunnableFuture;
import java.util.stream.Stream;
import javax.annotation.Nonnull;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.runtime.state.CheckpointableKeyedStateBackend;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupedInternalPriorityQueue;
import org.apache.flink.runtime.state.Keyed;
import org.apache.flink.runtime.state.KeyedStateFunction;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.PriorityComparable;
import org.apache.flink.runtime.state.SavepointResources;
import org.apache.flink.runtime.state.SnapshotResult;
import org.apache.flink.runtime.state.StateSnapshotTransformer.StateSnapshotTransformFactory;
import org.apache.flink.runtime.state.heap.HeapPriorityQueueElement;

/**
 * The keyed state backend a per-round operator instance sees: its host's backend, with every state
 * and timer queue the instance creates noted in a {@link PerRoundStateRegistry}, so that the
 * round's end can empty it. The instance never snapshots, closes or disposes it: the host's own
 * backend is snapshotted with the instance's entries in it, and lives as long as the host.
 */
public final class RoundScopedKeyedStateBackend<K> implements CheckpointableKeyedStateBackend<K> {

    private final CheckpointableKeyedStateBackend<K> backend;
    private final PerRoundStateRegistry registry;

    public RoundScopedKeyedStateBackend(
            CheckpointableKeyedStateBackend<K> backend, PerRoundStateRegistry registry) {
        this.backend = backend;
        this.registry = registry;
    }

    // ---- creating state: noted, then handed to the host's backend ----

    @Override
    public <N, S extends State, T> S getOrCreateKeyedState(
            TypeSerializer<N> namespaceSerializer, StateDescriptor<S, T> stateDescriptor)
            throws Exception {
        registry.addKeyed(namespaceSerializer, stateDescriptor);
        return backend.getOrCreateKeyedState(namespaceSerializer, stateDescriptor);
    }

    @Override
    public <N, S extends State> S getPartitionedState(
            N namespace,
            TypeSerializer<N> namespaceSerializer,
            StateDescriptor<S, ?> stateDescriptor)
            throws Exception {
        registry.addKeyed(namespaceSerializer, stateDescriptor);
        return backend.getPartitionedState(namespace, namespaceSerializer, stateDescriptor);
    }

    @Nonnull
    @Override
    public <N, SV, SEV, S extends State, IS extends S> IS createOrUpdateInternalState(
            @Nonnull TypeSerializer<N> namespaceSerializer,
            @Nonnull StateDescriptor<S, SV> stateDesc,
            @Nonnull StateSnapshotTransformFactory<SEV> snapshotTransformFactory)
            throws Exception {
        registry.addKeyed(namespaceSerializer, stateDesc);
        return backend.createOrUpdateInternalState(
                namespaceSerializer, stateDesc, snapshotTransformFactory);
    }

    @Nonnull
    @Override
    public <T extends HeapPriorityQueueElement & PriorityComparable<? super T> & Keyed<?>>
            KeyGroupedInternalPriorityQueue<T> create(
                    @Nonnull String stateName,
                    @Nonnull TypeSerializer<T> byteOrderedElementSerializer) {
        return registry.queue(backend, stateName, byteOrderedElementSerializer);
    }

    // ---- keys and reads: the host's backend ----

    @Override
    public void setCurrentKey(K newKey) {
        backend.setCurrentKey(newKey);
    }

    @Override
    public K getCurrentKey() {
        return backend.getCurrentKey();
    }

    @Override
    public void setCurrentKeyAndKeyGroup(K newKey, int newKeyGroupIndex) {
        backend.setCurrentKeyAndKeyGroup(newKey, newKeyGroupIndex);
    }

    @Override
    public TypeSerializer<K> getKeySerializer() {
        return backend.getKeySerializer();
    }

    @Override
    public <N, S extends State, T> void applyToAllKeys(
            N namespace,
            TypeSerializer<N> namespaceSerializer,
            StateDescriptor<S, T> stateDescriptor,
            KeyedStateFunction<K, S> function)
            throws Exception {
        registry.addKeyed(namespaceSerializer, stateDescriptor);
        backend.applyToAllKeys(namespace, namespaceSerializer, stateDescriptor, function);
    }

    @Override
    public <N> Stream<K> getKeys(String state, N namespace) {
        return backend.getKeys(state, namespace);
    }

    @Override
    public <N> Stream<K> getKeys(List<String> states, N namespace) {
        return backend.getKeys(states, namespace);
    }

    @Override
    public <N> Stream<Tuple2<K, N>> getKeysAndNamespaces(String state) {
        return backend.getKeysAndNamespaces(state);
    }

    @Override
    public void registerKeySelectionListener(KeySelectionListener<K> listener) {
        backend.registerKeySelectionListener(listener);
    }

    @Override
    public boolean deregisterKeySelectionListener(KeySelectionListener<K> listener) {
        return backend.deregisterKeySelectionListener(listener);
    }

    @Override
    public boolean isSafeToReuseKVState() {
        return backend.isSafeToReuseKVState();
    }

    @Override
    public String getBackendTypeIdentifier() {
        return backend.getBackendTypeIdentifier();
    }

    @Override
    public KeyGroupRange getKeyGroupRange() {
        return backend.getKeyGroupRange();
    }

    // ---- the host's business, not the instance's ----

    @Override
    public void dispose() {
        // The host disposes its backend when it closes; a round's end only empties the states.
    }

    @Override
    public void close() {}

    @Nonnull
    @Override
    public RunnableFuture<SnapshotResult<KeyedStateHandle>> snapshot(
            long checkpointId,
            long timestamp,
            @Nonnull CheckpointStreamFactory streamFactory,
            @Nonnull CheckpointOptions checkpointOptions) {
        throw new UnsupportedOperationException(
                "A per-round operator's keyed state is snapshotted by its host operator.");
    }

    @Nonnull
    @Override
    public SavepointResources<K> savepoint() {
        throw new UnsupportedOperationException(
                "A per-round operator's keyed state is snapshotted by its host operator.");
    }
}
