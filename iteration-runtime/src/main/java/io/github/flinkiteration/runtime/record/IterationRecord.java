package io.github.flinkiteration.runtime.record;

import java.util.Objects;

/**
 * A value travelling inside an iteration, tagged with the round it belongs to. Round progress
 * itself travels as Flink watermarks whose timestamp is the round number (see {@code
 * docs/architecture.md}), so a record needs nothing else.
 */
public final class IterationRecord<T> {

    private long round;
    private T value;

    public IterationRecord() {}

    public IterationRecord(long round, T value) {
        this.round = round;
        this.value = value;
    }

    public long getRound() {
        return round;
    }

    public void setRound(long round) {
        this.round = round;
    }

    public T getValue() {
        return value;
    }

    public void setValue(T value) {
        this.value = value;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof IterationRecord)) {
            return false;
        }
        IterationRecord<?> that = (IterationRecord<?>) o;
        return round == that.round && Objects.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return 31 * Long.hashCode(round) + Objects.hashCode(value);
    }

    @Override
    public String toString() {
        return "IterationRecord{round=" + round + ", value=" + value + "}";
    }
}
