package io.github.flinkiteration.runtime.perround;

import java.util.Set;
import java.util.concurrent.RunnableFuture;
import javax.annotation.Nonnull;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.runtime.state.OperatorStateBackend;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.runtime.state.SnapshotResult;

/**
 * The operator state backend a per-round operator instance sees: its host's backend, with every
 * list, union list and broadcast state the instance registers noted in a {@link
 * PerRoundStateRegistry}, so that the round's end can empty it. The experimental state-v2 variants
 * are refused: they belong to asynchronous state, which per-round operators do not support.
 */
public final class RoundScopedOperatorStateBackend implements OperatorStateBackend {

    private final OperatorStateBackend backend;
    private final PerRoundStateRegistry registry;

    public RoundScopedOperatorStateBackend(
            OperatorStateBackend backend, PerRoundStateRegistry registry) {
        this.backend = backend;
        this.registry = registry;
    }

    @Override
    public <S> ListState<S> getListState(ListStateDescriptor<S> stateDescriptor) throws Exception {
        registry.addList(stateDescriptor);
        return backend.getListState(stateDescriptor);
    }

    @Override
    public <S> ListState<S> getUnionListState(ListStateDescriptor<S> stateDescriptor)
            throws Exception {
        registry.addUnionList(stateDescriptor);
        return backend.getUnionListState(stateDescriptor);
    }

    @Override
    public <K, V> BroadcastState<K, V> getBroadcastState(MapStateDescriptor<K, V> stateDescriptor)
            throws Exception {
        registry.addBroadcast(stateDescriptor);
        return backend.getBroadcastState(stateDescriptor);
    }

    @Override
    public <K, V> BroadcastState<K, V> getBroadcastState(
            org.apache.flink.api.common.state.v2.MapStateDescriptor<K, V> stateDescriptor) {
        throw stateV2Unsupported();
    }

    @Override
    public <S> org.apache.flink.api.common.state.v2.ListState<S> getListState(
            org.apache.flink.api.common.state.v2.ListStateDescriptor<S> stateDescriptor) {
        throw stateV2Unsupported();
    }

    @Override
    public <S> org.apache.flink.api.common.state.v2.ListState<S> getUnionListState(
            org.apache.flink.api.common.state.v2.ListStateDescriptor<S> stateDescriptor) {
        throw stateV2Unsupported();
    }

    private static UnsupportedOperationException stateV2Unsupported() {
        return new UnsupportedOperationException(
                "Per-round operators support the classic state API only"
                        + " (org.apache.flink.api.common.state), not state v2.");
    }

    @Override
    public Set<String> getRegisteredStateNames() {
        return backend.getRegisteredStateNames();
    }

    @Override
    public Set<String> getRegisteredBroadcastStateNames() {
        return backend.getRegisteredBroadcastStateNames();
    }

    @Override
    public void dispose() {
        // The host disposes its backend when it closes; a round's end only empties the states.
    }

    @Override
    public void close() {}

    @Nonnull
    @Override
    public RunnableFuture<SnapshotResult<OperatorStateHandle>> snapshot(
            long checkpointId,
            long timestamp,
            @Nonnull CheckpointStreamFactory streamFactory,
            @Nonnull CheckpointOptions checkpointOptions) {
        throw new UnsupportedOperationException(
                "A per-round operator's operator state is snapshotted by its host operator.");
    }
}
