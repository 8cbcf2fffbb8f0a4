package io.github.flinkiteration.flinkml.common.datastream;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.ReduceFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Reduces the records of each key with a {@link ReduceFunction} and emits one result per key at the
 * final watermark: at the end of input, or inside a per-round body at the end of the round.
 */
final class KeyedReduceAtEnd<K, T> extends KeyedProcessFunction<K, T, T> {

    private static final long serialVersionUID = 1L;

    private final ReduceFunction<T> function;
    private final TypeInformation<T> type;

    private transient ValueState<T> reduced;

    KeyedReduceAtEnd(ReduceFunction<T> function, TypeInformation<T> type) {
        this.function = function;
        this.type = type;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        reduced = getRuntimeContext().getState(new ValueStateDescriptor<>("keyed-reduce", type));
    }

    @Override
    public void processElement(T value, Context ctx, Collector<T> out) throws Exception {
        T current = reduced.value();
        if (current == null) {
            // The final watermark is Long.MAX_VALUE: the timer fires once, when the input ends.
            ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
            reduced.update(value);
        } else {
            reduced.update(function.reduce(current, value));
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<T> out) throws Exception {
        T result = reduced.value();
        if (result != null) {
            out.collect(result);
            reduced.clear();
        }
    }
}
