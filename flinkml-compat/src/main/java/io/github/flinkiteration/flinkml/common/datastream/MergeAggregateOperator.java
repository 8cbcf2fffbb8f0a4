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
 * Merges the partial accumulators of {@link PartialAggregateOperator} and emits the result of the
 * merged one when the input ends.
 */
final class MergeAggregateOperator<ACC, OUT>
        extends AbstractUdfStreamOperator<OUT, AggregateFunction<?, ACC, OUT>>
        implements OneInputStreamOperator<ACC, OUT>, BoundedOneInput {

    private static final long serialVersionUID = 1L;

    private final TypeInformation<ACC> accType;

    private transient ACC merged;

    private transient ListState<ACC> mergedState;

    MergeAggregateOperator(AggregateFunction<?, ACC, OUT> function, TypeInformation<ACC> accType) {
        super(function);
        this.accType = accType;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        mergedState =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("aggregate-merged", accType));
        Iterator<ACC> restored = mergedState.get().iterator();
        while (restored.hasNext()) {
            merge(restored.next());
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        mergedState.clear();
        if (merged != null) {
            mergedState.add(merged);
        }
    }

    @Override
    public void processElement(StreamRecord<ACC> element) {
        merge(element.getValue());
    }

    @Override
    public void endInput() {
        if (merged != null) {
            output.collect(new StreamRecord<>(userFunction.getResult(merged)));
            merged = null;
        }
    }

    private void merge(ACC partial) {
        merged = merged == null ? partial : userFunction.merge(merged, partial);
    }
}
