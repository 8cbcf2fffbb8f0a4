package io.github.flinkiteration.runtime;

import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.util.ExceptionUtils;

/** Savepoints for the tests that stop a job and resume it. */
final class Savepoints {

    private Savepoints() {}

    /**
     * Stops {@code job} with a savepoint in {@code directory}, without draining. Flink refuses a
     * savepoint until every task runs, and the round deciders may start after output has already
     * been seen: asks again until it is taken.
     */
    static String stopWithSavepoint(JobClient job, Path directory) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return job.stopWithSavepoint(
                                false, directory.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get();
            } catch (ExecutionException e) {
                if (attempt == 50
                        || ExceptionUtils.findThrowableWithMessage(e, "Not all required tasks")
                                .isEmpty()) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }
}
