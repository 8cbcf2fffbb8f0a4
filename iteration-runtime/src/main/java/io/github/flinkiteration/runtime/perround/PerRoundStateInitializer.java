package io.github.flinkiteration.runtime.perround;

import java.util.OptionalLong;
import javax.annotation.Nonnull;
import javax.annotation.Nullable;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.fs.CloseableRegistry;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.AsyncKeyedStateBackend;
import org.apache.flink.runtime.state.CheckpointableKeyedStateBackend;
import org.apache.flink.runtime.state.KeyGroupStatePartitionStreamProvider;
import org.apache.flink.runtime.state.OperatorStateBackend;
import org.apache.flink.runtime.state.StatePartitionStreamProvider;
import org.apache.flink.streaming.api.operators.InternalTimeServiceManager;
import org.apache.flink.streaming.api.operators.InternalTimeServiceManagerImpl;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.streaming.api.operators.StreamOperatorStateContext;
import org.apache.flink.streaming.api.operators.StreamTaskStateInitializer;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;
import org.apache.flink.streaming.runtime.tasks.StreamTask;
import org.apache.flink.streaming.runtime.tasks.StreamTaskCancellationContext;
import org.apache.flink.util.CloseableIterable;

/**
 * Gives a per-round operator instance its state: the host's backends seen through round-scoped
 * views, and a timer service manager of its own over them (so that the end-of-round watermark fires
 * this instance's event-time timers only). Flink's {@link StreamTaskStateInitializer} is the
 * supported way to hand an operator its state; the real one would build new backends each round.
 */
final class PerRoundStateInitializer implements StreamTaskStateInitializer {

    private final StreamTask<?, ?> task;
    @Nullable private final CheckpointableKeyedStateBackend<?> keyedBackend;
    private final OperatorStateBackend operatorBackend;
    private final PerRoundStateRegistry registry;
    private final OptionalLong restoredCheckpointId;

    PerRoundStateInitializer(
            StreamTask<?, ?> task,
            @Nullable CheckpointableKeyedStateBackend<?> keyedBackend,
            OperatorStateBackend operatorBackend,
            PerRoundStateRegistry registry,
            OptionalLong restoredCheckpointId) {
        this.task = task;
        this.keyedBackend = keyedBackend;
        this.operatorBackend = operatorBackend;
        this.registry = registry;
        this.restoredCheckpointId = restoredCheckpointId;
    }

    @Override
    public StreamOperatorStateContext streamOperatorStateContext(
            @Nonnull OperatorID operatorID,
            @Nonnull String operatorClassName,
            @Nonnull ProcessingTimeService processingTimeService,
            @Nonnull KeyContext keyContext,
            @Nullable TypeSerializer<?> keySerializer,
            @Nonnull CloseableRegistry streamTaskCloseableRegistry,
            @Nonnull MetricGroup metricGroup,
            double managedMemoryFraction,
            boolean isUsingCustomRawKeyedState,
            boolean isAsyncState)
            throws Exception {
        if (isAsyncState) {
            throw new UnsupportedOperationException(
                    "The per-round operator "
                            + operatorClassName
                            + " uses asynchronous state, which per-round operators do not"
                            + " support. Create it outside forEachRound, or use the classic state"
                            + " API.");
        }
        OperatorStateBackend operatorState =
                new RoundScopedOperatorStateBackend(operatorBackend, registry);
        CheckpointableKeyedStateBackend<?> keyedState =
                keyedBackend == null ? null : scoped(keyedBackend);
        InternalTimeServiceManager<?> timers =
                keyedState == null
                        ? null
                        : InternalTimeServiceManagerImpl.create(
                                task.getEnvironment().getMetricGroup().getIOMetricGroup(),
                                keyedState,
                                keyedState.getKeyGroupRange(),
                                task.getUserCodeClassLoader(),
                                keyContext,
                                processingTimeService,
                                CloseableIterable.empty(),
                                StreamTaskCancellationContext.alwaysRunning());
        return new Context(operatorState, keyedState, timers);
    }

    private <K> CheckpointableKeyedStateBackend<K> scoped(
            CheckpointableKeyedStateBackend<K> backend) {
        return new RoundScopedKeyedStateBackend<>(backend, registry);
    }

    private final class Context implements StreamOperatorStateContext {
        private final OperatorStateBackend operatorState;
        @Nullable private final CheckpointableKeyedStateBackend<?> keyedState;
        @Nullable private final InternalTimeServiceManager<?> timers;

        Context(
                OperatorStateBackend operatorState,
                @Nullable CheckpointableKeyedStateBackend<?> keyedState,
                @Nullable InternalTimeServiceManager<?> timers) {
            this.operatorState = operatorState;
            this.keyedState = keyedState;
            this.timers = timers;
        }

        @Override
        public OptionalLong getRestoredCheckpointId() {
            return restoredCheckpointId;
        }

        @Override
        public OperatorStateBackend operatorStateBackend() {
            return operatorState;
        }

        @Override
        public TypeSerializer<?> keySerializer() {
            return keyedState == null ? null : keyedState.getKeySerializer();
        }

        @Override
        public CheckpointableKeyedStateBackend<?> keyedStateBackend() {
            return keyedState;
        }

        @Override
        public AsyncKeyedStateBackend<?> asyncKeyedStateBackend() {
            return null;
        }

        @Override
        public InternalTimeServiceManager<?> internalTimerServiceManager() {
            return timers;
        }

        @Override
        public InternalTimeServiceManager<?> asyncInternalTimerServiceManager() {
            return null;
        }

        @Override
        public CloseableIterable<StatePartitionStreamProvider> rawOperatorStateInputs() {
            return CloseableIterable.empty();
        }

        @Override
        public CloseableIterable<KeyGroupStatePartitionStreamProvider> rawKeyedStateInputs() {
            return CloseableIterable.empty();
        }
    }
}
