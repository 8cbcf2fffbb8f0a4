package io.github.flinkiteration.flinkml;

import io.github.flinkiteration.api.IterationListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Counts the records of a criteria stream per subtask and round and emits the count at the round's
 * end, so the termination check gathers one number per subtask instead of every criteria record.
 */
final class CriteriaRecordCounter<T> extends ProcessFunction<T, Long>
        implements IterationListener<Long>, CheckpointedFunction {

    private long count;

    // A checkpoint may fall inside a round; a count lost on restore could end the loop early.
    private transient ListState<Long> countState;

    @Override
    public void processElement(T value, ProcessFunction<T, Long>.Context ctx, Collector<Long> out) {
        count++;
    }

    @Override
    public void onRoundEnd(
            int round, IterationListener.Context context, Collector<Long> collector) {
        collector.collect(count);
        count = 0;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        countState.update(java.util.List.of(count));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        countState =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("criteria-count", Types.LONG));
        // After rescaling a subtask may get several counts; only "zero or not" matters.
        count = 0;
        for (Long restored : countState.get()) {
            count += restored;
        }
    }
}
