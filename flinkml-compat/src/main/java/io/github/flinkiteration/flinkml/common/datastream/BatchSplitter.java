package io.github.flinkiteration.flinkml.common.datastream;

import java.util.Arrays;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.util.Collector;

/**
 * Splits a global batch into one local batch per downstream subtask, in order: subtask {@code i}
 * gets the {@code i}-th slice; slices differ in size by at most one, the first ones larger.
 */
final class BatchSplitter<T> implements FlatMapFunction<T[], Tuple2<Integer, T[]>> {

    private static final long serialVersionUID = 1L;

    private final int parts;

    BatchSplitter(int parts) {
        this.parts = parts;
    }

    @Override
    public void flatMap(T[] batch, Collector<Tuple2<Integer, T[]>> out) {
        int base = batch.length / parts;
        int larger = batch.length % parts;
        int from = 0;
        for (int part = 0; part < parts; part++) {
            int to = from + base + (part < larger ? 1 : 0);
            out.collect(Tuple2.of(part, Arrays.copyOfRange(batch, from, to)));
            from = to;
        }
    }
}
