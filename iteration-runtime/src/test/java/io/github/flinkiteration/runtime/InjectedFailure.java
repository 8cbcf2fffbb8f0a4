package io.github.flinkiteration.runtime;

import io.github.flinkiteration.api.RoundAwareProcessFunction;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.util.Collector;

/**
 * Passes records on and fails its job once: at the first record after {@code afterRecords} records
 * went through it (over all subtasks and attempts) and after a checkpoint completed, so that the
 * job restores from that checkpoint. What happened is kept per run in this JVM (tests run on a
 * MiniCluster in the test's JVM).
 */
final class InjectedFailure<T> extends RoundAwareProcessFunction<T, T>
        implements CheckpointListener, CheckpointedFunction {

    private static final long serialVersionUID = 1L;

    private static final Map<String, Run> RUNS = new ConcurrentHashMap<>();

    /** What one test run's failure did. */
    static final class Run {
        final AtomicLong records = new AtomicLong();
        final AtomicBoolean failed = new AtomicBoolean();
        volatile boolean checkpointCompleted;
        volatile boolean restoredFromCheckpoint;
        volatile int failedInRound = -1;

        boolean failed() {
            return failed.get();
        }
    }

    private final String runId;
    private final long afterRecords;

    InjectedFailure(String runId, long afterRecords) {
        this.runId = runId;
        this.afterRecords = afterRecords;
    }

    static String newRun() {
        String id = UUID.randomUUID().toString();
        RUNS.put(id, new Run());
        return id;
    }

    static Run run(String id) {
        return RUNS.get(id);
    }

    @Override
    public void processElement(T value, int round, Context ctx, Collector<T> out) {
        Run run = RUNS.get(runId);
        long seen = run.records.incrementAndGet();
        if (seen >= afterRecords
                && run.checkpointCompleted
                && run.failed.compareAndSet(false, true)) {
            run.failedInRound = round;
            throw new IllegalStateException("Injected failure in round " + round);
        }
        out.collect(value);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        RUNS.get(runId).checkpointCompleted = true;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {}

    @Override
    public void initializeState(FunctionInitializationContext context) {
        if (context.isRestored()) {
            RUNS.get(runId).restoredFromCheckpoint = true;
        }
    }
}
