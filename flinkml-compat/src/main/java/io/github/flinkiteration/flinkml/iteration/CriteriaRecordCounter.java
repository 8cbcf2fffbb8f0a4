package io.github.flinkiteration.flinkml.iteration;

import io.github.flinkiteration.api.IterationListener;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Counts the records of a criteria stream per subtask and round and emits the count at the round's
 * end, so the termination check gathers one number per subtask instead of every criteria record.
 */
final class CriteriaRecordCounter<T> extends ProcessFunction<T, Long>
        implements IterationListener<Long> {

    private long count;

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
}
