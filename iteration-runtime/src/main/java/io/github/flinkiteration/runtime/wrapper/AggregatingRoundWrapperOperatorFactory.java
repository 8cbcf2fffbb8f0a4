package io.github.flinkiteration.runtime.wrapper;

import io.github.flinkiteration.runtime.coordinator.IterationCoordinatorProvider;
import io.github.flinkiteration.runtime.coordinator.IterationCoordinatorProvider.Role;
import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import io.github.flinkiteration.runtime.record.IterationRecord;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.coordination.OperatorCoordinator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.CoordinatedOperatorFactory;
import org.apache.flink.streaming.api.operators.OperatorAttributes;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;

/**
 * The wrapper of one body operator in an iteration with aggregators: the same wrapper as {@link
 * RoundWrapperOperatorFactory} creates, with a coordinator of its own (role {@code BODY}) through
 * which each subtask reports its partial aggregates at every round end and asks for the global ones
 * as each round starts. Iterations without aggregators keep plain wrappers and no coordinator.
 */
public final class AggregatingRoundWrapperOperatorFactory<OUT>
        implements CoordinatedOperatorFactory<IterationRecord<OUT>> {

    private static final long serialVersionUID = 1L;

    private final RoundWrapperOperatorFactory<OUT> wrapperFactory;
    private final ProgressPlan plan;

    public AggregatingRoundWrapperOperatorFactory(
            RoundWrapperOperatorFactory<OUT> wrapperFactory, ProgressPlan plan) {
        if (plan.getAggregation() == null) {
            throw new IllegalArgumentException(
                    "The plan of " + plan.getName() + " has no aggregators");
        }
        this.wrapperFactory = wrapperFactory;
        this.plan = plan;
    }

    @Override
    public <T extends StreamOperator<IterationRecord<OUT>>> T createStreamOperator(
            StreamOperatorParameters<IterationRecord<OUT>> parameters) {
        T wrapper = wrapperFactory.createStreamOperator(parameters);
        ((AbstractRoundWrapper<?, ?>) wrapper)
                .joinAggregation(new RoundAggregation(plan.getAggregation(), parameters));
        return wrapper;
    }

    @Override
    public OperatorCoordinator.Provider getCoordinatorProvider(
            String operatorName, OperatorID operatorID) {
        return new IterationCoordinatorProvider(operatorID, plan, Role.BODY);
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
    public boolean isInputTypeConfigurable() {
        return wrapperFactory.isInputTypeConfigurable();
    }

    @Override
    public void setInputType(TypeInformation<?> type, ExecutionConfig executionConfig) {
        wrapperFactory.setInputType(type, executionConfig);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
        return wrapperFactory.getStreamOperatorClass(classLoader);
    }

    @Override
    public OperatorAttributes getOperatorAttributes() {
        return wrapperFactory.getOperatorAttributes();
    }
}
