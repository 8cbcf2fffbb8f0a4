package io.github.flinkiteration.runtime.coordinator;

import io.github.flinkiteration.runtime.coordinator.IterationCoordinatorProvider.Role;
import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import io.github.flinkiteration.runtime.record.IterationRecord;
import java.io.Serializable;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.coordination.OperatorCoordinator;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.CoordinatedOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;

/**
 * Creates a {@link ControlledEntryOperator} (a variable's head, a constant's replay) together with
 * the {@link IterationCoordinator} it talks to. The operator comes from a serializable constructor
 * reference, so that this package needs to know nothing of the operators built on it.
 *
 * <pre>{@code
 * new CoordinatedEntryOperatorFactory<T>(
 *         plan, Role.HEAD, HeadOperator.class, parameters -> new HeadOperator<>(parameters, plan, name));
 * }</pre>
 */
public final class CoordinatedEntryOperatorFactory<T>
        extends AbstractStreamOperatorFactory<IterationRecord<T>>
        implements CoordinatedOperatorFactory<IterationRecord<T>> {

    private static final long serialVersionUID = 1L;

    /** Builds the operator on the TaskManager from the parameters Flink hands the factory. */
    @FunctionalInterface
    public interface Constructor<T> extends Serializable {
        ControlledEntryOperator<T> create(StreamOperatorParameters<IterationRecord<T>> parameters);
    }

    private final ProgressPlan plan;
    private final Role role;

    @SuppressWarnings("rawtypes")
    private final Class<? extends StreamOperator> operatorClass;

    private final Constructor<T> constructor;

    @SuppressWarnings("rawtypes")
    public CoordinatedEntryOperatorFactory(
            ProgressPlan plan,
            Role role,
            Class<? extends StreamOperator> operatorClass,
            Constructor<T> constructor) {
        this.plan = plan;
        this.role = role;
        this.operatorClass = operatorClass;
        this.constructor = constructor;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <O extends StreamOperator<IterationRecord<T>>> O createStreamOperator(
            StreamOperatorParameters<IterationRecord<T>> parameters) {
        return (O) constructor.create(parameters);
    }

    @Override
    public OperatorCoordinator.Provider getCoordinatorProvider(
            String operatorName, OperatorID operatorID) {
        return new IterationCoordinatorProvider(operatorID, plan, role);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
        return operatorClass;
    }
}
