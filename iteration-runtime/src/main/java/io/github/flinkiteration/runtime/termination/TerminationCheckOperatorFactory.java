package io.github.flinkiteration.runtime.termination;

import io.github.flinkiteration.api.ConvergenceCriterion;
import io.github.flinkiteration.runtime.coordinator.IterationCoordinatorProvider;
import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.coordination.OperatorCoordinator;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.CoordinatedOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;

/** Creates a {@link TerminationCheckOperator} and the coordinator it reports to. */
public final class TerminationCheckOperatorFactory<T> extends AbstractStreamOperatorFactory<Void>
        implements CoordinatedOperatorFactory<Void> {

    private static final long serialVersionUID = 1L;

    private final ConvergenceCriterion<T> criterion;
    private final ProgressPlan plan;

    /**
     * @param criterion the criterion, or {@code null} for an emptiness check
     */
    public TerminationCheckOperatorFactory(ConvergenceCriterion<T> criterion, ProgressPlan plan) {
        this.criterion = criterion;
        this.plan = plan;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <O extends StreamOperator<Void>> O createStreamOperator(
            StreamOperatorParameters<Void> parameters) {
        return (O) new TerminationCheckOperator<>(parameters, criterion);
    }

    @Override
    public OperatorCoordinator.Provider getCoordinatorProvider(
            String operatorName, OperatorID operatorID) {
        return new IterationCoordinatorProvider(
                operatorID,
                plan,
                criterion == null
                        ? IterationCoordinatorProvider.Role.EMPTINESS_CHECK
                        : IterationCoordinatorProvider.Role.CONVERGENCE_CHECK);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
        return TerminationCheckOperator.class;
    }
}
