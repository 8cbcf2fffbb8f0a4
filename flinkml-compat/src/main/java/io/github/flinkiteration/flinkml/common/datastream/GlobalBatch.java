package io.github.flinkiteration.flinkml.common.datastream;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.functions.windowing.AllWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.GlobalWindow;
import org.apache.flink.util.Collector;

/** Turns a count window of records into one array, a global batch. */
final class GlobalBatch<T> implements AllWindowFunction<T, T[], GlobalWindow> {

    private static final long serialVersionUID = 1L;

    private final Class<T> elementClass;

    GlobalBatch(Class<T> elementClass) {
        this.elementClass = elementClass;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void apply(GlobalWindow window, Iterable<T> values, Collector<T[]> out) {
        List<T> batch = new ArrayList<>();
        values.forEach(batch::add);
        // An array of the element class, so that a T[] the user casts to is one.
        out.collect(batch.toArray((T[]) Array.newInstance(elementClass, batch.size())));
    }
}
