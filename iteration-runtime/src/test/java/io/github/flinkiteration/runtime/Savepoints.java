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
     * been seen; a source that is finishing while the savepoint is triggered declines it: asks
     * again until it is taken.
     */
    static String stopWithSavepoint(JobClient job, Path directory) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return job.stopWithSavepoint(
                                false, directory.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get();
            } catch (ExecutionException e) {
                if (attempt == 50 || !isTransient(e)) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static boolean isTransient(ExecutionException e) {
        return ExceptionUtils.findThrowableWithMessage(e, "Not all required tasks").isPresent()
                || ExceptionUtils.findThrowableWithMessage(e, "tasks not ready").isPresent()
                || ExceptionUtils.findThrowableWithMessage(e, "unknown task").isPresent();
    }
}
