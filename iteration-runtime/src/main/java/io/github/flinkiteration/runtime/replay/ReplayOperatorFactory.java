package io.github.flinkiteration.runtime.replay;

import io.github.flinkiteration.runtime.progress.IterationCoordinatorProvider;
import io.github.flinkiteration.runtime.progress.ProgressPlan;
import io.github.flinkiteration.runtime.record.IterationRecord;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.coordination.OperatorCoordinator;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.CoordinatedOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;

/** Creates a constant's {@link ReplayOperator} and the coordinator that tells it each round. */
public final class ReplayOperatorFactory<T>
        extends AbstractStreamOperatorFactory<IterationRecord<T>>
        implements CoordinatedOperatorFactory<IterationRecord<T>> {

    private static final long serialVersionUID = 1L;

    private final String constant;
    private final ProgressPlan plan;

    public ReplayOperatorFactory(String constant, ProgressPlan plan) {
        this.constant = constant;
        this.plan = plan;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <O extends StreamOperator<IterationRecord<T>>> O createStreamOperator(
            StreamOperatorParameters<IterationRecord<T>> parameters) {
        return (O) new ReplayOperator<T>(parameters, constant);
    }

    @Override
    public OperatorCoordinator.Provider getCoordinatorProvider(
            String operatorName, OperatorID operatorID) {
        return new IterationCoordinatorProvider(
                operatorID, plan, IterationCoordinatorProvider.Role.REPLAY);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
        return ReplayOperator.class;
    }
}
