package io.github.flinkiteration.runtime.draft;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * The environment an iteration body is built in. It only records: every transformation the body
 * creates stays here until the translator rebuilds it, wrapped, in the job's real environment. It
 * cannot execute.
 */
public final class DraftEnvironment extends StreamExecutionEnvironment {

    public DraftEnvironment(StreamExecutionEnvironment realEnvironment) {
        super(new Configuration());
        setParallelism(realEnvironment.getParallelism());
        if (realEnvironment.getMaxParallelism() > 0) {
            setMaxParallelism(realEnvironment.getMaxParallelism());
        }
        if (realEnvironment.getConfig().isObjectReuseEnabled()) {
            getConfig().enableObjectReuse();
        }
    }

    @Override
    public JobExecutionResult execute(StreamGraph streamGraph) {
        throw notExecutable();
    }

    @Override
    public JobClient executeAsync(StreamGraph streamGraph) {
        throw notExecutable();
    }

    private static UnsupportedOperationException notExecutable() {
        return new UnsupportedOperationException(
                "An iteration body cannot execute a job: build the body, return an"
                        + " IterationDeclaration, and execute the environment of the bound"
                        + " streams after apply().");
    }
}
