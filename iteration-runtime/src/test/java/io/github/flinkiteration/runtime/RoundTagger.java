package io.github.flinkiteration.runtime;

import io.github.flinkiteration.api.RoundAwareProcessFunction;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.util.Collector;

/** Emits each value with the round it arrived in. */
final class RoundTagger<T> extends RoundAwareProcessFunction<T, Tuple2<Integer, T>> {

    private static final long serialVersionUID = 1L;

    @Override
    public void processElement(T value, int round, Context ctx, Collector<Tuple2<Integer, T>> out) {
        out.collect(Tuple2.of(round, value));
    }
}
