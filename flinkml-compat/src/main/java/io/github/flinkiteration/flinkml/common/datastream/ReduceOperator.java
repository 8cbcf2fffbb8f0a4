package io.github.flinkiteration.flinkml.common.datastream;

import java.util.Iterator;
import org.apache.flink.api.common.functions.ReduceFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractUdfStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Reduces the records of its subtask to one with a {@link ReduceFunction} and emits it when the
 * input ends (inside a per-round body: when the round ends); emits nothing if no record came.
 */
final class ReduceOperator<T> extends AbstractUdfStreamOperator<T, ReduceFunction<T>>
        implements OneInputStreamOperator<T, T>, BoundedOneInput {

    private static final long serialVersionUID = 1L;

    private final TypeInformation<T> type;

    private transient T reduced;

    private transient ListState<T> reducedState;

    ReduceOperator(ReduceFunction<T> function, TypeInformation<T> type) {
        super(function);
        this.type = type;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        reducedState =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("reduce-partial", type));
        // Operator list state may be redistributed on restore: fold whatever this subtask gets.
        Iterator<T> restored = reducedState.get().iterator();
        while (restored.hasNext()) {
            add(restored.next());
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        reducedState.clear();
        if (reduced != null) {
            reducedState.add(reduced);
        }
    }

    @Override
    public void processElement(StreamRecord<T> element) throws Exception {
        add(element.getValue());
    }

    @Override
    public void endInput() {
        if (reduced != null) {
            output.collect(new StreamRecord<>(reduced));
            reduced = null;
        }
    }

    private void add(T value) throws Exception {
        reduced = reduced == null ? value : userFunction.reduce(reduced, value);
    }
}
