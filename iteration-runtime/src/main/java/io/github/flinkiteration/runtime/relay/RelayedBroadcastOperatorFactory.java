package io.github.flinkiteration.runtime.relay;

import io.github.flinkiteration.runtime.record.IterationRecord;
import java.util.Objects;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.graph.StreamConfig;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OperatorAttributes;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.runtime.tasks.StreamTask;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;

/**
 * Creates a {@link RelayedBroadcastOperator} around the round wrapper that {@code wrapperFactory}
 * creates for the two-input operator. The wrapper reads the serializers of both inputs from its
 * configuration; the task configures one, so the wrapper gets a copy that names the broadcast
 * input's too.
 *
 * @param <OUT> the operator's output type
 */
public final class RelayedBroadcastOperatorFactory<OUT>
        implements StreamOperatorFactory<IterationRecord<OUT>> {

    private static final long serialVersionUID = 1L;

    private final StreamOperatorFactory<IterationRecord<OUT>> wrapperFactory;
    private final String relayId;
    private final int broadcastSide;
    private final TypeInformation<? extends IterationRecord<?>> broadcastType;

    /**
     * @param wrapperFactory creates the round wrapper of the two-input operator
     * @param relayId the id shared with the operator's {@link BroadcastRelayOperator}
     * @param broadcastSide 0 if the broadcast is the operator's first input, 1 if its second
     * @param broadcastType the type of the broadcast input's iteration records
     */
    public RelayedBroadcastOperatorFactory(
            StreamOperatorFactory<IterationRecord<OUT>> wrapperFactory,
            String relayId,
            int broadcastSide,
            TypeInformation<? extends IterationRecord<?>> broadcastType) {
        this.wrapperFactory = Objects.requireNonNull(wrapperFactory);
        this.relayId = Objects.requireNonNull(relayId);
        this.broadcastSide = broadcastSide;
        this.broadcastType = Objects.requireNonNull(broadcastType);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends StreamOperator<IterationRecord<OUT>>> T createStreamOperator(
            StreamOperatorParameters<IterationRecord<OUT>> parameters) {
        StreamTask<?, ?> task = parameters.getContainingTask();
        TypeSerializer<IterationRecord<Object>> broadcastSerializer =
                (TypeSerializer<IterationRecord<Object>>)
                        broadcastType.createSerializer(
                                task.getExecutionConfig().getSerializerConfig());
        StreamOperatorParameters<IterationRecord<OUT>> wrapperParameters =
                new StreamOperatorParameters<>(
                        task,
                        withBroadcastInput(
                                parameters.getStreamConfig(),
                                broadcastSerializer,
                                task.getUserCodeClassLoader()),
                        parameters.getOutput(),
                        parameters::getProcessingTimeService,
                        parameters.getOperatorEventDispatcher(),
                        parameters.getMailboxExecutor());
        StreamOperator<IterationRecord<OUT>> wrapper =
                wrapperFactory.createStreamOperator(wrapperParameters);
        return (T)
                new RelayedBroadcastOperator<>(
                        wrapper,
                        task.getEnvironment(),
                        relayId,
                        broadcastSide,
                        broadcastSerializer,
                        parameters.getMailboxExecutor(),
                        task.getMailboxExecutorFactory().createExecutor(TaskMailbox.MIN_PRIORITY));
    }

    /** A copy of {@code config} whose inputs are the chained one and the broadcast, in order. */
    private StreamConfig withBroadcastInput(
            StreamConfig config, TypeSerializer<?> broadcastSerializer, ClassLoader classLoader) {
        StreamConfig copy = new StreamConfig(new Configuration(config.getConfiguration()));
        StreamConfig.InputConfig chained = config.getInputs(classLoader)[0];
        StreamConfig.InputConfig broadcast =
                new StreamConfig.NetworkInputConfig(broadcastSerializer, 1);
        copy.setInputs(
                broadcastSide == 0
                        ? new StreamConfig.InputConfig[] {broadcast, chained}
                        : new StreamConfig.InputConfig[] {chained, broadcast});
        copy.serializeAllConfigs();
        return copy;
    }

    @Override
    public void setChainingStrategy(ChainingStrategy strategy) {
        wrapperFactory.setChainingStrategy(strategy);
    }

    @Override
    public ChainingStrategy getChainingStrategy() {
        return wrapperFactory.getChainingStrategy();
    }

    @Override
    public boolean isOutputTypeConfigurable() {
        return wrapperFactory.isOutputTypeConfigurable();
    }

    @Override
    public void setOutputType(
            TypeInformation<IterationRecord<OUT>> type, ExecutionConfig executionConfig) {
        wrapperFactory.setOutputType(type, executionConfig);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
        return RelayedBroadcastOperator.class;
    }

    @Override
    public OperatorAttributes getOperatorAttributes() {
        return wrapperFactory.getOperatorAttributes();
    }
}
