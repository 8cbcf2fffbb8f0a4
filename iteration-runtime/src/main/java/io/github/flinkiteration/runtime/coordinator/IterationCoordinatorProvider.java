package io.github.flinkiteration.runtime.coordinator;

import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.coordination.OperatorCoordinator;

/**
 * Creates the {@link IterationCoordinator} of a head, a termination-check or a replay operator, or
 * of a body operator that takes part in aggregation.
 */
public final class IterationCoordinatorProvider implements OperatorCoordinator.Provider {

    private static final long serialVersionUID = 1L;

    /** What the coordinated operator is. */
    public enum Role {
        HEAD,
        EMPTINESS_CHECK,
        CONVERGENCE_CHECK,
        /** Hears every decision, reports nothing: it replays a constant into each new round. */
        REPLAY,
        /**
         * A body operator of an iteration with aggregators: reports its partial aggregates each
         * round and asks for the global ones; hears no decision.
         */
        BODY
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
