package io.github.flinkiteration.runtime.wrapper;

import io.github.flinkiteration.runtime.record.IterationRecord;
import org.apache.flink.api.java.functions.KeySelector;

/** Applies the user's key selector to the value inside an {@link IterationRecord}. */
public final class ValueKeySelector<T, K> implements KeySelector<IterationRecord<T>, K> {

    private static final long serialVersionUID = 1L;

    private final KeySelector<T, K> valueKeySelector;

    public ValueKeySelector(KeySelector<T, K> valueKeySelector) {
        this.valueKeySelector = valueKeySelector;
    }

    @Override
    public K getKey(IterationRecord<T> record) throws Exception {
        return valueKeySelector.getKey(record.getValue());
    }
}
