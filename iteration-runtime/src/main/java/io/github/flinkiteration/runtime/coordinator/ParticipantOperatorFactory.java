package io.github.flinkiteration.runtime.coordinator;

import io.github.flinkiteration.runtime.coordinator.IterationCoordinatorProvider.Role;
import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import java.io.Serializable;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.coordination.OperatorCoordinator;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.CoordinatedOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;

/**
 * Creates a participant of the round protocol (a variable's head, a constant's replay, a
 * termination check) together with the {@link IterationCoordinator} it talks to. The operator comes
 * from a serializable constructor reference, so that this package needs to know nothing of the
 * operators built on it; each of them offers its own {@code factory(...)}.
 *
 * <pre>{@code
 * new ParticipantOperatorFactory<>(
 *         plan, Role.HEAD, HeadOperator.class, parameters -> new HeadOperator<>(parameters, ...));
 * }</pre>
 *
 * @param <OUT> what the operator emits
 */
public final class ParticipantOperatorFactory<OUT> extends AbstractStreamOperatorFactory<OUT>
        implements CoordinatedOperatorFactory<OUT> {

    private static final long serialVersionUID = 1L;

    /** Builds the operator on the TaskManager from the parameters Flink hands the factory. */
    @FunctionalInterface
    public interface Constructor<OUT> extends Serializable {
        StreamOperator<OUT> create(StreamOperatorParameters<OUT> parameters);
    }

    private final ProgressPlan plan;
    private final Role role;

    @SuppressWarnings("rawtypes")
    private final Class<? extends StreamOperator> operatorClass;

    private final Constructor<OUT> constructor;

    @SuppressWarnings("rawtypes")
    public ParticipantOperatorFactory(
            ProgressPlan plan,
            Role role,
            Class<? extends StreamOperator> operatorClass,
            Constructor<OUT> constructor) {
        this.plan = plan;
        this.role = role;
        this.operatorClass = operatorClass;
        this.constructor = constructor;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <O extends StreamOperator<OUT>> O createStreamOperator(
            StreamOperatorParameters<OUT> parameters) {
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
