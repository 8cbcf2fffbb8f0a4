package io.github.flinkiteration.testing;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;

/** Waiting on jobs started with {@code executeAsync()}. */
public final class Jobs {

    private static final long POLL_MILLIS = 50;

    private Jobs() {}

    /**
     * Waits until {@code job} reached a globally terminal status (finished, cancelled or failed)
     * and returns it. Bound the wait with the test's own timeout.
     */
    public static JobStatus awaitTerminalStatus(JobClient job) throws Exception {
        while (true) {
            JobStatus status = job.getJobStatus().get();
            if (status.isGloballyTerminalState()) {
                return status;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}
