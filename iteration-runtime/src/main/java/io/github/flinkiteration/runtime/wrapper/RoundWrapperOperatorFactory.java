package io.github.flinkiteration.runtime.wrapper;

import io.github.flinkiteration.runtime.perround.PerRoundHost;
import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.record.IterationRecordTypeInfo;
import java.util.Objects;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.MultipleInputStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.OperatorAttributes;
import org.apache.flink.streaming.api.operators.OperatorAttributesBuilder;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;

/**
 * Creates the wrapper of one body operator: the user's operator is created by its own factory, with
 * an output that tags values with the current round, and placed inside a round wrapper.
 */
public final class RoundWrapperOperatorFactory<OUT>
        implements StreamOperatorFactory<IterationRecord<OUT>> {

    private static final long serialVersionUID = 1L;

    /** How many inputs the wrapped operator has. */
    public enum Arity {
        ONE,
        TWO,
        MULTIPLE
    }

    private final StreamOperatorFactory<OUT> innerFactory;
    private final Arity arity;
    private final boolean lockStep;
    private final boolean perRound;

    /**
     * @param lockStep whether the wrapper holds back records of a round until the previous round
     *     has ended here
     * @param perRound whether the operator is created afresh for every round (needs lock-step)
     */
    public RoundWrapperOperatorFactory(
            StreamOperatorFactory<OUT> innerFactory,
            Arity arity,
            boolean lockStep,
            boolean perRound) {
        this.innerFactory = Objects.requireNonNull(innerFactory);
        this.arity = Objects.requireNonNull(arity);
        this.lockStep = lockStep;
        this.perRound = perRound;
        if (perRound && (!lockStep || arity == Arity.MULTIPLE)) {
            throw new IllegalArgumentException(
                    "Per-round operators need lock-step rounds and one or two inputs.");
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends StreamOperator<IterationRecord<OUT>>> T createStreamOperator(
            StreamOperatorParameters<IterationRecord<OUT>> parameters) {
        RoundTaggingOutput<OUT> taggingOutput = new RoundTaggingOutput<>(parameters.getOutput());
        // The operator reads its serializers from its configuration: give it its values' types.
        StreamOperatorParameters<OUT> innerParameters =
                new StreamOperatorParameters<>(
                        parameters.getContainingTask(),
                        ValueTypedStreamConfig.of(
                                parameters.getStreamConfig(),
                                parameters.getContainingTask().getUserCodeClassLoader()),
                        taggingOutput,
                        parameters::getProcessingTimeService,
                        parameters.getOperatorEventDispatcher(),
                        parameters.getMailboxExecutor());
        StreamOperator<OUT> inner;
        if (!perRound) {
            inner = innerFactory.createStreamOperator(innerParameters);
        } else if (arity == Arity.ONE) {
            inner = PerRoundHost.forOneInput(innerFactory, innerParameters);
        } else {
            inner = PerRoundHost.forTwoInputs(innerFactory, innerParameters);
        }
        switch (arity) {
            case ONE:
                return (T)
                        new OneInputRoundWrapper<>(
                                (OneInputStreamOperator<Object, OUT>) inner,
                                taggingOutput,
                                parameters,
                                lockStep);
            case TWO:
                return (T)
                        new TwoInputRoundWrapper<>(
                                (TwoInputStreamOperator<Object, Object, OUT>) inner,
                                taggingOutput,
                                parameters,
                                lockStep);
            default:
                return (T)
                        new MultiInputRoundWrapper<>(
                                (MultipleInputStreamOperator<OUT>) inner,
                                taggingOutput,
                                parameters,
                                lockStep);
        }
    }

    @Override
    public void setChainingStrategy(ChainingStrategy strategy) {
        innerFactory.setChainingStrategy(strategy);
    }

    @Override
    public ChainingStrategy getChainingStrategy() {
        return innerFactory.getChainingStrategy();
    }

    @Override
    public boolean isOutputTypeConfigurable() {
        return innerFactory.isOutputTypeConfigurable();
    }

    @Override
    public void setOutputType(
            TypeInformation<IterationRecord<OUT>> type, ExecutionConfig executionConfig) {
        innerFactory.setOutputType(
                ((IterationRecordTypeInfo<OUT>) type).getValueType(), executionConfig);
    }

    @Override
    public boolean isInputTypeConfigurable() {
        return innerFactory.isInputTypeConfigurable();
    }

    @Override
    public void setInputType(TypeInformation<?> type, ExecutionConfig executionConfig) {
        innerFactory.setInputType(
                ((IterationRecordTypeInfo<?>) type).getValueType(), executionConfig);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
        switch (arity) {
            case ONE:
                return OneInputRoundWrapper.class;
            case TWO:
                return TwoInputRoundWrapper.class;
            default:
                return MultiInputRoundWrapper.class;
        }
    }

    /**
     * Never "output only at end of input": such an operator would make Flink cut the loop with a
     * blocking edge, which deadlocks an iteration. And "sorts its input itself", so that in a BATCH
     * job Flink does not sort a keyed input before the operator: a sort waits for the end of the
     * input, which inside a loop comes only at termination. (The wrapper sorts nothing; records of
     * a round arrive in any key order, as in a STREAMING job.)
     */
    @Override
    public OperatorAttributes getOperatorAttributes() {
        return new OperatorAttributesBuilder().setInternalSorterSupported(true).build();
    }
}
