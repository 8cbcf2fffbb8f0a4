package io.github.flinkiteration.runtime.perround;

import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.api.RoundAwareProcessFunction;
import io.github.flinkiteration.api.spi.RoundAwareFunctions;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.runtime.state.CheckpointableKeyedStateBackend;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.AbstractUdfStreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.operators.StreamOperatorStateHandler.CheckpointedStreamOperator;
import org.apache.flink.util.Collector;
import org.apache.flink.util.InstantiationUtil;

/**
 * Stands in a round wrapper for a per-round operator: it owns the state backends (so checkpoints
 * and restores work as for any operator), and creates the user's operator afresh for every round
 * from a copy of its factory. Each instance sees the host's state through round-scoped views and
 * gets {@code open}, the round's records, the end of its input and {@code close}; then every state
 * it registered is emptied. Rounds run in lock-step (bounded iterations only), so at most one
 * instance lives at a time.
 */
public abstract class PerRoundHost<OUT> extends AbstractStreamOperator<OUT>
        implements IterationListener<OUT> {

    private static final long serialVersionUID = 1L;
    private static final Set<String> SUPPORTED_BACKENDS = Set.of("hashmap", "rocksdb");

    private final StreamOperatorFactory<OUT> template;
    private final transient StreamOperatorParameters<OUT> parameters;

    /** The current round's instance, or null between rounds. */
    protected transient StreamOperator<OUT> instance;

    private transient RoundScopedProcessingTimeService instanceTime;
    private transient PerRoundStateRegistry registry;
    private transient ListState<byte[]> registryState;
    private transient ListState<Integer> liveRoundState;
    private int round = -1;
    private OptionalLong restoredCheckpointId = OptionalLong.empty();

    PerRoundHost(StreamOperatorFactory<OUT> template, StreamOperatorParameters<OUT> parameters) {
        super(parameters);
        this.template = template;
        this.parameters = parameters;
    }

    /** A host for the one-input operator that {@code template} creates afresh for each round. */
    public static <IN, OUT> PerRoundHost<OUT> forOneInput(
            StreamOperatorFactory<OUT> template, StreamOperatorParameters<OUT> parameters) {
        return new OneInputPerRoundHost<IN, OUT>(template, parameters);
    }

    /** A host for the two-input operator that {@code template} creates afresh for each round. */
    public static <IN1, IN2, OUT> PerRoundHost<OUT> forTwoInputs(
            StreamOperatorFactory<OUT> template, StreamOperatorParameters<OUT> parameters) {
        return new TwoInputPerRoundHost<IN1, IN2, OUT>(template, parameters);
    }

    // ---- the instance's round ----

    @Override
    public void onRoundStart(int round, Context context, Collector<OUT> out) throws Exception {
        this.round = round;
        ensureInstance();
        IterationListener<OUT> listener = listenerOf(instance);
        if (listener != null) {
            listener.onRoundStart(round, context, out);
        }
    }

    @Override
    public void onRoundEnd(int round, Context context, Collector<OUT> out) throws Exception {
        ensureInstance();
        // End of the round is the end of the instance's input: end-of-stream timers and windows
        // fire, operators that emit at end of input emit, all tagged with this round.
        endInstanceInputs();
        IterationListener<OUT> listener = listenerOf(instance);
        if (listener != null) {
            listener.onRoundEnd(round, context, out);
        }
        instance.finish();
        closeInstance();
        registry.clear(keyedBackend(), getOperatorStateBackend());
    }

    /** Delivers the final watermark and the end of every input to the instance. */
    protected abstract void endInstanceInputs() throws Exception;

    /** Makes sure the current round has its instance; after a restore, the restored round's. */
    protected final void ensureInstance() throws Exception {
        if (instance != null) {
            return;
        }
        ClassLoader classLoader = getUserCodeClassloader();
        StreamOperatorFactory<OUT> copy = InstantiationUtil.clone(template, classLoader);
        instanceTime = new RoundScopedProcessingTimeService(getProcessingTimeService());
        StreamOperatorParameters<OUT> instanceParameters =
                new StreamOperatorParameters<>(
                        getContainingTask(),
                        getOperatorConfig(),
                        output,
                        () -> instanceTime,
                        parameters.getOperatorEventDispatcher(),
                        parameters.getMailboxExecutor());
        StreamOperator<OUT> created = copy.createStreamOperator(instanceParameters);
        created.initializeState(
                new PerRoundStateInitializer(
                        getContainingTask(),
                        keyedBackend(),
                        getOperatorStateBackend(),
                        registry,
                        restoredCheckpointId));
        restoredCheckpointId = OptionalLong.empty();
        Object function =
                created instanceof AbstractUdfStreamOperator
                        ? ((AbstractUdfStreamOperator<?, ?>) created).getUserFunction()
                        : null;
        if (function instanceof RoundAwareProcessFunction) {
            RoundAwareFunctions.setCurrentRound((RoundAwareProcessFunction<?, ?>) function, round);
        }
        created.open();
        instance = created;
    }

    private void closeInstance() throws Exception {
        StreamOperator<OUT> closing = instance;
        instance = null;
        instanceTime.end();
        closing.close();
    }

    @SuppressWarnings("unchecked")
    private static <OUT> IterationListener<OUT> listenerOf(StreamOperator<OUT> operator) {
        if (operator instanceof IterationListener) {
            return (IterationListener<OUT>) operator;
        }
        if (operator instanceof AbstractUdfStreamOperator) {
            Object function = ((AbstractUdfStreamOperator<?, ?>) operator).getUserFunction();
            if (function instanceof IterationListener) {
                return (IterationListener<OUT>) function;
            }
        }
        return null;
    }

    private CheckpointableKeyedStateBackend<?> keyedBackend() {
        return (CheckpointableKeyedStateBackend<?>) getKeyedStateBackend();
    }

    // ---- state and checkpoints ----

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        if (getKeyedStateBackend() != null) {
            String backend = getKeyedStateBackend().getBackendTypeIdentifier();
            if (!SUPPORTED_BACKENDS.contains(backend)) {
                throw new IllegalStateException(
                        "The per-round operator '"
                                + getOperatorConfig().getOperatorName()
                                + "' runs on the state backend '"
                                + backend
                                + "'; per-round operators support "
                                + SUPPORTED_BACKENDS
                                + ". Configure one of them (state.backend.type), or create the"
                                + " operator outside forEachRound.");
            }
        }
        registryState =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "flink-iteration.per-round-states",
                                        BytePrimitiveArraySerializer.INSTANCE));
        liveRoundState =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "flink-iteration.per-round-live-round", Types.INT));
        registry = new PerRoundStateRegistry();
        for (byte[] bytes : registryState.get()) {
            registry.addAll(PerRoundStateRegistry.fromBytes(bytes, getUserCodeClassloader()));
        }
        for (Integer live : liveRoundState.get()) {
            if (live >= 0) {
                // The checkpoint was taken inside this round: its instance gets its state back.
                round = live;
                restoredCheckpointId = context.getRestoredCheckpointId();
            }
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        registryState.update(List.of(registry.toBytes()));
        List<Integer> live = new ArrayList<>();
        live.add(instance == null ? -1 : round);
        liveRoundState.update(live);
        if (instance instanceof CheckpointedStreamOperator) {
            // The instance's own snapshot hook (user functions' snapshotState); its states are
            // the host's, which Flink snapshots right after this.
            ((CheckpointedStreamOperator) instance).snapshotState(context);
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        if (instance != null) {
            instance.prepareSnapshotPreBarrier(checkpointId);
        }
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        if (instance != null) {
            instance.notifyCheckpointComplete(checkpointId);
        }
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) throws Exception {
        super.notifyCheckpointAborted(checkpointId);
        if (instance != null) {
            instance.notifyCheckpointAborted(checkpointId);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (instance != null) {
                closeInstance(); // failure or cancellation inside a round
            }
        } finally {
            super.close();
        }
    }
}
