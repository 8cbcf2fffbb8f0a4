package io.github.flinkiteration.flinkml.common.datastream;

import java.util.Iterator;
import org.apache.flink.api.common.functions.AggregateFunction;
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
 * Adds the records of its subtask to an accumulator and emits the accumulator when the input ends,
 * also when no record came (a fresh accumulator): the merging side then always has a value.
 */
final class PartialAggregateOperator<IN, ACC>
        extends AbstractUdfStreamOperator<ACC, AggregateFunction<IN, ACC, ?>>
        implements OneInputStreamOperator<IN, ACC>, BoundedOneInput {

    private static final long serialVersionUID = 1L;

    private final TypeInformation<ACC> accType;

    private transient ACC acc;

    private transient ListState<ACC> accState;

    PartialAggregateOperator(AggregateFunction<IN, ACC, ?> function, TypeInformation<ACC> accType) {
        super(function);
        this.accType = accType;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        accState =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("aggregate-partial", accType));
        acc = userFunction.createAccumulator();
        Iterator<ACC> restored = accState.get().iterator();
        while (restored.hasNext()) {
            acc = userFunction.merge(acc, restored.next());
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        accState.clear();
        accState.add(acc);
    }

    @Override
    public void processElement(StreamRecord<IN> element) {
        acc = userFunction.add(element.getValue(), acc);
    }

    @Override
    public void endInput() {
        output.collect(new StreamRecord<>(acc));
        acc = userFunction.createAccumulator();
    }
}
