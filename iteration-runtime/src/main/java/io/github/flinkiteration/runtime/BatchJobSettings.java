package io.github.flinkiteration.runtime;

import io.github.flinkiteration.runtime.draft.LoopEdges;
import org.apache.flink.api.common.BatchShuffleMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The settings a BATCH job needs so that an iteration can run in it, set on the environment when
 * the iteration is built. Each one undoes a batch feature that clashes with a loop; the reasons are
 * in {@code docs/architecture.md}, "BATCH mode":
 *
 * <ul>
 *   <li>the scheduler: Flink's default for BATCH jobs, the adaptive batch scheduler, refuses any
 *       pipelined edge, and a loop needs its edges pipelined. The default scheduler runs the loop
 *       as one pipelined region and the rest of the job region by region, as blocking exchanges
 *       allow.
 *   <li>the batch state backend and timer service: they keep the state of one key at a time and
 *       drop it when the next key comes, which is right only for inputs sorted by key; records
 *       inside a loop cannot be sorted, since sorting waits for the end of the input. The job's
 *       configured state backend is used instead, for the whole job.
 * </ul>
 *
 * Hybrid shuffle modes are refused: they work only under the adaptive batch scheduler. A setting
 * the user chose explicitly and that would clash fails the build, saying what to change.
 */
final class BatchJobSettings {

    private static final Logger LOG = LoggerFactory.getLogger(BatchJobSettings.class);

    static final String ADAPTIVE_SCHEDULER_UNSUPPORTED =
            "The job runs in BATCH mode with '"
                    + JobManagerOptions.SCHEDULER.key()
                    + "' set to %s, but an iteration needs the edges of its loop pipelined, which"
                    + " Flink's adaptive batch scheduler refuses. Remove that setting or set it to"
                    + " 'Default': the loop then runs as one pipelined region, the rest of the job"
                    + " in batch.";

    static final String BATCH_STATE_BACKEND_UNSUPPORTED =
            "The job runs in BATCH mode with '"
                    + ExecutionOptions.USE_BATCH_STATE_BACKEND.key()
                    + "' set to true, but the batch state backend keeps one key at a time and needs"
                    + " inputs sorted by key, which the records inside a loop cannot be. Remove that"
                    + " setting or set it to false.";

    static final String HYBRID_SHUFFLE_UNSUPPORTED =
            "The job runs in BATCH mode with '"
                    + ExecutionOptions.BATCH_SHUFFLE_MODE.key()
                    + "' set to %s, but hybrid shuffles need Flink's adaptive batch scheduler, which"
                    + " refuses the pipelined edges of an iteration's loop (under the default"
                    + " scheduler the job's tasks fail to start). Set it to "
                    + BatchShuffleMode.ALL_EXCHANGES_BLOCKING
                    + " (the default) or "
                    + BatchShuffleMode.ALL_EXCHANGES_PIPELINED
                    + ".";

    private BatchJobSettings() {}

    /** Adjusts {@code env} for an iteration if its job runs in BATCH mode; else does nothing. */
    static void apply(StreamExecutionEnvironment env, String iterationName) {
        if (!LoopEdges.isBatch(env.getConfiguration())) {
            return;
        }
        env.getConfiguration()
                .getOptional(JobManagerOptions.SCHEDULER)
                .filter(scheduler -> scheduler != JobManagerOptions.SchedulerType.Default)
                .ifPresent(
                        scheduler -> {
                            throw new IllegalArgumentException(
                                    String.format(ADAPTIVE_SCHEDULER_UNSUPPORTED, scheduler));
                        });
        BatchShuffleMode shuffle = env.getConfiguration().get(ExecutionOptions.BATCH_SHUFFLE_MODE);
        if (shuffle == BatchShuffleMode.ALL_EXCHANGES_HYBRID_FULL
                || shuffle == BatchShuffleMode.ALL_EXCHANGES_HYBRID_SELECTIVE) {
            throw new IllegalArgumentException(String.format(HYBRID_SHUFFLE_UNSUPPORTED, shuffle));
        }
        if (env.getConfiguration()
                .getOptional(ExecutionOptions.USE_BATCH_STATE_BACKEND)
                .orElse(false)) {
            throw new IllegalArgumentException(BATCH_STATE_BACKEND_UNSUPPORTED);
        }
        Configuration settings = new Configuration();
        settings.set(JobManagerOptions.SCHEDULER, JobManagerOptions.SchedulerType.Default);
        settings.set(ExecutionOptions.USE_BATCH_STATE_BACKEND, false);
        env.configure(settings);
        LOG.info(
                "Iteration '{}' in a BATCH job: the job uses the default scheduler and the"
                        + " configured state backend instead of the batch state backend; the loop's"
                        + " edges are pipelined, the others as '{}' says.",
                iterationName,
                ExecutionOptions.BATCH_SHUFFLE_MODE.key());
    }
}
