package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.runtime.progress.IterationCoordinatorProvider;
import io.github.flinkiteration.runtime.progress.ProgressPlan;
import io.github.flinkiteration.runtime.record.IterationRecord;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.coordination.OperatorCoordinator;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.CoordinatedOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;

/** Creates a variable's {@link HeadOperator} and the coordinator it reports to. */
public final class HeadOperatorFactory<T> extends AbstractStreamOperatorFactory<IterationRecord<T>>
        implements CoordinatedOperatorFactory<IterationRecord<T>> {

    private static final long serialVersionUID = 1L;

    private final String variable;
    private final ProgressPlan plan;

    public HeadOperatorFactory(String variable, ProgressPlan plan) {
        this.variable = variable;
        this.plan = plan;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <O extends StreamOperator<IterationRecord<T>>> O createStreamOperator(
            StreamOperatorParameters<IterationRecord<T>> parameters) {
        return (O) new HeadOperator<T>(parameters, plan, variable);
    }

    @Override
    public OperatorCoordinator.Provider getCoordinatorProvider(
            String operatorName, OperatorID operatorID) {
        return new IterationCoordinatorProvider(
                operatorID, plan, IterationCoordinatorProvider.Role.HEAD);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
        return HeadOperator.class;
    }
}
