package io.github.flinkiteration.runtime.wrapper;

import io.github.flinkiteration.api.spi.RoundAggregates;
import io.github.flinkiteration.runtime.protocol.AggregateReportEvent;
import io.github.flinkiteration.runtime.protocol.AggregatesRequest;
import io.github.flinkiteration.runtime.protocol.AggregatesResponse;
import io.github.flinkiteration.runtime.protocol.AggregationPlan;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.jobgraph.tasks.TaskOperatorEventGateway;
import org.apache.flink.runtime.operators.coordination.CoordinationResponse;
import org.apache.flink.runtime.operators.coordination.OperatorEventGateway;
import org.apache.flink.runtime.state.OperatorStateBackend;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.util.InstantiationUtil;
import org.apache.flink.util.SerializedValue;

/**
 * One body operator subtask's part in the iteration's aggregators: it accumulates what the
 * operator's functions add in the round being processed, reports the partials to the coordinator
 * when the round ends here, and fetches the previous round's global values when a round starts.
 *
 * <p>The fetch blocks the task thread, but only for a moment: a round starts here only after the
 * coordinator decided the round before, and it decides a round only once it merged every body
 * subtask's partials, so the answer is ready when asked (after a restore it may first have to hear
 * the other subtasks' repeated reports).
 */
final class RoundAggregation implements RoundAggregates {

    private final AggregationPlan plan;
    private final OperatorEventGateway coordinator;
    private final TaskOperatorEventGateway requests;
    private final OperatorID operatorId;
    private final ClassLoader userCodeClassLoader;

    private transient ListState<byte[]> state;
    private Progress progress = new Progress();
    private final List<Progress> restoredProgress = new ArrayList<>();
    private boolean restored;

    RoundAggregation(AggregationPlan plan, StreamOperatorParameters<?> parameters) {
        this.plan = plan;
        this.operatorId = parameters.getStreamConfig().getOperatorID();
        this.coordinator =
                parameters.getOperatorEventDispatcher().getOperatorEventGateway(operatorId);
        this.requests =
                parameters
                        .getContainingTask()
                        .getEnvironment()
                        .getOperatorCoordinatorEventGateway();
        this.userCodeClassLoader = parameters.getContainingTask().getUserCodeClassLoader();
    }

    /** Round {@code round} starts here: learn the values of the round before, start empty. */
    void startRound(long round) throws Exception {
        if (round >= 1 && progress.knownRound != round - 1) {
            CoordinationResponse response =
                    requests.sendRequestToCoordinator(
                                    operatorId,
                                    new SerializedValue<>(new AggregatesRequest(round - 1)))
                            .get();
            progress.known =
                    new HashMap<>(((AggregatesResponse) response).getValues(userCodeClassLoader));
            progress.knownRound = round - 1;
        }
        progress.partials = new HashMap<>();
    }

    /** Round {@code round} ended here: report this subtask's partials. */
    void endRound(long round) {
        progress.reportedRound = round;
        progress.reported = progress.partials;
        progress.partials = new HashMap<>();
        coordinator.sendEventToCoordinator(lastReport());
    }

    private AggregateReportEvent lastReport() {
        return new AggregateReportEvent(
                progress.reportedRound, progress.reported, progress.knownRound, progress.known);
    }

    @Override
    public void add(String name, Object value) {
        progress.partials.put(name, plan.add(name, progress.partials.get(name), value));
    }

    @Override
    public Object previous(String name) {
        plan.function(name); // fails naming the declared aggregators
        if (progress.knownRound < 0) {
            return plan.initialResults().get(name);
        }
        return progress.known.get(name);
    }

    void initializeState(OperatorStateBackend store) throws Exception {
        state =
                store.getListState(
                        new ListStateDescriptor<>(
                                "flink-iteration.aggregation",
                                BytePrimitiveArraySerializer.INSTANCE));
        for (byte[] bytes : state.get()) {
            restoredProgress.add(InstantiationUtil.deserializeObject(bytes, userCodeClassLoader));
        }
        if (!restoredProgress.isEmpty()) {
            progress = restoredProgress.get(restoredProgress.size() - 1);
            restored = true;
        }
    }

    /**
     * Restored at another parallelism from a snapshot taken between two rounds, after {@code
     * endedRound} ended everywhere (-1: round 0 still ran): Flink dealt the old subtasks' entries
     * out among the new ones, some getting several and some none. Accumulators merge, so each new
     * subtask merges the partials it got, and reports them again for {@code endedRound} (empty if
     * it got none): the coordinator then merges as many reports as there are new subtasks into the
     * same global values. Returns false if the entries do not agree on the last round reported,
     * which only a snapshot in the middle of a round gives.
     */
    boolean rescale(long endedRound) {
        List<Map<String, Object>> partials = new ArrayList<>();
        List<Map<String, Object>> reported = new ArrayList<>();
        Progress combined = new Progress();
        combined.reportedRound = endedRound;
        for (Progress old : restoredProgress) {
            if (old.reportedRound != endedRound) {
                return false;
            }
            partials.add(old.partials);
            reported.add(old.reported);
            if (old.knownRound > combined.knownRound) {
                combined.knownRound = old.knownRound;
                combined.known = old.known;
            }
        }
        combined.partials = new HashMap<>(plan.merge(partials));
        combined.reported = new HashMap<>(plan.merge(reported));
        progress = combined;
        restored = true;
        return true;
    }

    void snapshotState() throws Exception {
        state.update(List.of(InstantiationUtil.serializeObject(progress)));
    }

    /**
     * After a restore the coordinator has forgotten everything: tell it again what this subtask
     * reported last and which global values it knows.
     */
    void open() {
        if (restored && (progress.reportedRound >= 0 || progress.knownRound >= 0)) {
            coordinator.sendEventToCoordinator(lastReport());
        }
    }

    /** What a subtask keeps of the aggregation across a checkpoint. */
    private static final class Progress implements Serializable {
        private static final long serialVersionUID = 1L;

        HashMap<String, Object> partials = new HashMap<>();
        long reportedRound = -1;
        HashMap<String, Object> reported = new HashMap<>();
        long knownRound = -1;
        HashMap<String, Object> known = new HashMap<>();
    }
}
