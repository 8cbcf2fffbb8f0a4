package io.github.flinkiteration.runtime.draft;

import io.github.flinkiteration.api.OperatorLifecycle;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.dag.Transformation;
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

    private final OperatorLifecycle defaultLifecycle;
    private OperatorLifecycle currentLifecycle;
    // By transformation id: every operator is added through addOperator, with the lifecycle
    // current at that moment.
    private final Map<Integer, OperatorLifecycle> lifecycles = new HashMap<>();

    public DraftEnvironment(
            StreamExecutionEnvironment realEnvironment, OperatorLifecycle defaultLifecycle) {
        super(new Configuration());
        this.defaultLifecycle = defaultLifecycle;
        this.currentLifecycle = defaultLifecycle;
        setParallelism(realEnvironment.getParallelism());
        if (realEnvironment.getMaxParallelism() > 0) {
            setMaxParallelism(realEnvironment.getMaxParallelism());
        }
        if (realEnvironment.getConfig().isObjectReuseEnabled()) {
            getConfig().enableObjectReuse();
        }
    }

    @Override
    public void addOperator(Transformation<?> transformation) {
        super.addOperator(transformation);
        lifecycles.put(transformation.getId(), currentLifecycle);
    }

    /** Runs {@code part} with {@code lifecycle} for the operators it creates. */
    public <T> T withLifecycle(OperatorLifecycle lifecycle, Supplier<T> part) {
        OperatorLifecycle previous = currentLifecycle;
        currentLifecycle = lifecycle;
        try {
            return part.get();
        } finally {
            currentLifecycle = previous;
        }
    }

    /** The lifecycle an operator of the body was created with. */
    public OperatorLifecycle lifecycleOf(Transformation<?> transformation) {
        return lifecycles.getOrDefault(transformation.getId(), defaultLifecycle);
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
