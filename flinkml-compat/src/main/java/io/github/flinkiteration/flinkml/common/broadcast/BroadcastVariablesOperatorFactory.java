package io.github.flinkiteration.flinkml.common.broadcast;

import java.util.List;
import org.apache.flink.api.common.functions.Function;
import org.apache.flink.api.common.functions.RichFunction;
import org.apache.flink.api.common.functions.util.FunctionUtils;
import org.apache.flink.runtime.execution.Environment;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.AbstractUdfStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;

/**
 * Creates the user's operator with its own factory and places it, with a runtime context that knows
 * the broadcast variables, inside a {@link BroadcastVariablesOperator}.
 */
final class BroadcastVariablesOperatorFactory<OUT> implements StreamOperatorFactory<OUT> {

    private static final long serialVersionUID = 1L;

    private final StreamOperatorFactory<OUT> innerFactory;
    private final int dataInputs;
    private final List<String> names;

    BroadcastVariablesOperatorFactory(
            StreamOperatorFactory<OUT> innerFactory, int dataInputs, List<String> names) {
        this.innerFactory = innerFactory;
        this.dataInputs = dataInputs;
        this.names = List.copyOf(names);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends StreamOperator<OUT>> T createStreamOperator(
            StreamOperatorParameters<OUT> parameters) {
        StreamOperator<OUT> created = innerFactory.createStreamOperator(parameters);
        if (!(created instanceof AbstractStreamOperator)) {
            throw new IllegalStateException(
                    "withBroadcastStream needs an operator that extends AbstractStreamOperator;"
                            + " got "
                            + created.getClass().getName()
                            + ".");
        }
        AbstractStreamOperator<OUT> inner = (AbstractStreamOperator<OUT>) created;
        Environment environment = parameters.getContainingTask().getEnvironment();
        BroadcastRuntimeContext context =
                new BroadcastRuntimeContext(
                        inner,
                        environment,
                        environment.getAccumulatorRegistry().getUserMap(),
                        names);
        if (inner instanceof AbstractUdfStreamOperator) {
            Function function = ((AbstractUdfStreamOperator<OUT, ?>) inner).getUserFunction();
            if (function instanceof RichFunction) {
                // Replaces the context the operator gave it while it was set up.
                FunctionUtils.setFunctionRuntimeContext(function, context);
            }
        }
        return (T)
                new BroadcastVariablesOperator<>(
                        inner,
                        context,
                        names,
                        dataInputs,
                        parameters.getStreamConfig(),
                        parameters.getContainingTask().getUserCodeClassLoader());
    }

    @Override
    public void setChainingStrategy(ChainingStrategy strategy) {
        innerFactory.setChainingStrategy(strategy);
    }

    @Override
    public ChainingStrategy getChainingStrategy() {
        return innerFactory.getChainingStrategy();
    }

    @Override
    @SuppressWarnings("rawtypes") // Flink's signature
    public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
        return BroadcastVariablesOperator.class;
    }
}
