package io.github.flinkiteration.runtime;

import io.github.flinkiteration.runtime.checkpoint.SubtaskProgress;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

/**
 * A snapshot of one subtask whose operator state holds the given round progress, written through
 * {@link SubtaskProgress} as the runtime's operators write theirs: a head or wrapper restored from
 * it stands where a long run would have left it (past round 2³¹, say) without running those rounds.
 * Flink restores operator state by state name, so the snapshot of this stand-in operator restores
 * into any operator that registers the same names.
 *
 * <pre>{@code
 * OperatorSubtaskState state =
 *         ForgedProgress.at(2, 0).with("head-progress", emitted, tailComplete, ...).snapshot();
 * }</pre>
 */
public final class ForgedProgress {

    private final int parallelism;
    private final int subtask;
    private final Map<String, long[]> entries = new LinkedHashMap<>();

    private ForgedProgress(int parallelism, int subtask) {
        this.parallelism = parallelism;
        this.subtask = subtask;
    }

    /** Progress of subtask {@code subtask} of a job running at {@code parallelism}. */
    public static ForgedProgress at(int parallelism, int subtask) {
        return new ForgedProgress(parallelism, subtask);
    }

    /** The counters the operator keeps under {@code stateName}. */
    public ForgedProgress with(String stateName, long... counters) {
        entries.put(stateName, counters.clone());
        return this;
    }

    public OperatorSubtaskState snapshot() throws Exception {
        try (OneInputStreamOperatorTestHarness<Void, Void> harness =
                new OneInputStreamOperatorTestHarness<>(
                        new Writer(entries, parallelism, subtask), 128, parallelism, subtask)) {
            harness.open();
            return harness.snapshot(1L, 1L);
        }
    }

    private static final class Writer extends AbstractStreamOperator<Void>
            implements OneInputStreamOperator<Void, Void> {
        private final Map<String, long[]> entries;
        private final int parallelism;
        private final int subtask;
        private final Map<String, SubtaskProgress> states = new LinkedHashMap<>();

        Writer(Map<String, long[]> entries, int parallelism, int subtask) {
            this.entries = entries;
            this.parallelism = parallelism;
            this.subtask = subtask;
        }

        @Override
        public void initializeState(StateInitializationContext context) throws Exception {
            super.initializeState(context);
            for (String name : entries.keySet()) {
                states.put(
                        name,
                        SubtaskProgress.register(
                                context.getOperatorStateStore(), name, subtask, parallelism));
            }
        }

        @Override
        public void snapshotState(StateSnapshotContext context) throws Exception {
            super.snapshotState(context);
            for (Map.Entry<String, long[]> entry : entries.entrySet()) {
                states.get(entry.getKey()).update(entry.getValue());
            }
        }

        @Override
        public void processElement(StreamRecord<Void> element) {}
    }
}
