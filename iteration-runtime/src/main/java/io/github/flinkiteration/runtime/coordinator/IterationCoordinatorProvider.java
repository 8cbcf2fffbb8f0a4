package io.github.flinkiteration.runtime.coordinator;

import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.coordination.OperatorCoordinator;

/** Creates the {@link IterationCoordinator} of a head, a termination-check or a replay operator. */
public final class IterationCoordinatorProvider implements OperatorCoordinator.Provider {

    private static final long serialVersionUID = 1L;

    /** What the coordinated operator is. */
    public enum Role {
        HEAD,
        EMPTINESS_CHECK,
        CONVERGENCE_CHECK,
        /** Hears every decision, reports nothing: it replays a constant into each new round. */
        REPLAY
    }

    private final OperatorID operatorId;
    private final ProgressPlan plan;
    private final Role role;

    public IterationCoordinatorProvider(OperatorID operatorId, ProgressPlan plan, Role role) {
        this.operatorId = operatorId;
        this.plan = plan;
        this.role = role;
    }

    @Override
    public OperatorID getOperatorId() {
        return operatorId;
    }

    @Override
    public OperatorCoordinator create(OperatorCoordinator.Context context) {
        return new IterationCoordinator(context, plan, role);
    }
}
