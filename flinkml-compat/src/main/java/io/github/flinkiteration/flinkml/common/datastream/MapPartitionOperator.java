package io.github.flinkiteration.flinkml.common.datastream;

import org.apache.flink.api.common.functions.MapPartitionFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.api.operators.AbstractUdfStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Buffers the records of its subtask and hands them all to a {@link MapPartitionFunction} when the
 * input ends (inside a per-round body: when the round ends).
 */
final class MapPartitionOperator<IN, OUT>
        extends AbstractUdfStreamOperator<OUT, MapPartitionFunction<IN, OUT>>
        implements OneInputStreamOperator<IN, OUT>, BoundedOneInput {

    private static final long serialVersionUID = 1L;

    private final TypeInformation<IN> inType;

    // Operator state, so that a checkpoint taken before the end of input keeps the records.
    private transient ListState<IN> buffered;

    MapPartitionOperator(MapPartitionFunction<IN, OUT> function, TypeInformation<IN> inType) {
        super(function);
        this.inType = inType;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        buffered =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("mapPartition-records", inType));
    }

    @Override
    public void processElement(StreamRecord<IN> element) throws Exception {
        buffered.add(element.getValue());
    }

    @Override
    public void endInput() throws Exception {
        TimestampedCollector<OUT> collector = new TimestampedCollector<>(output);
        collector.eraseTimestamp();
        userFunction.mapPartition(buffered.get(), collector);
        buffered.clear();
    }
}
