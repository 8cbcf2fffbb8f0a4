package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.api.SpillOptions;
import io.github.flinkiteration.runtime.replay.SpillingBuffer;
import java.nio.file.Path;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.execution.Environment;

/**
 * How much feedback a {@link FeedbackChannel} keeps on the heap between tail and head, and where it
 * spills the rest: {@link SpillOptions#HANDOFF_HEAP_BYTES} of serialized chunks and {@link
 * SpillOptions#HANDOFF_HEAP_RECORDS} records handed over as objects, beyond which the tail's puts
 * go to a file in {@link SpillOptions#SPILL_DIRECTORIES}. Nothing blocks the tail: see
 * docs/architecture.md, "Why no loop deadlocks".
 *
 * @param heapBytes serialized feedback the channel keeps in memory
 * @param heapRecords feedback records (objects) the channel keeps in memory
 * @param directory where the spill file goes, created only when needed
 * @param prefix the spill file's name prefix, to tell whose file it is
 */
record HandoffSpill(long heapBytes, int heapRecords, Path directory, String prefix) {

    /** Neither limit: what a channel without configuration does (unit tests only). */
    static final HandoffSpill UNBOUNDED =
            new HandoffSpill(Long.MAX_VALUE, Integer.MAX_VALUE, null, "");

    /**
     * The limits of the job of the task in {@code environment} (else its TaskManager's, else the
     * defaults).
     */
    static HandoffSpill of(Environment environment, String variable) {
        Configuration job = environment.getJobConfiguration();
        Configuration taskManager = environment.getTaskManagerInfo().getConfiguration();
        int subtask = environment.getTaskInfo().getIndexOfThisSubtask();
        return new HandoffSpill(
                setting(job, taskManager, SpillOptions.HANDOFF_HEAP_BYTES).getBytes(),
                setting(job, taskManager, SpillOptions.HANDOFF_HEAP_RECORDS),
                SpillingBuffer.spillDirectoryOf(environment, subtask),
                "flink-iteration-handoff-"
                        + variable.replaceAll("[^A-Za-z0-9_-]", "_")
                        + "-"
                        + subtask
                        + "-");
    }

    private static <V> V setting(
            Configuration job, Configuration taskManager, ConfigOption<V> key) {
        return job.getOptional(key)
                .or(() -> taskManager.getOptional(key))
                .orElse(key.defaultValue());
    }
}
