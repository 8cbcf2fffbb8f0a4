package io.github.flinkiteration.runtime.wrapper;

import io.github.flinkiteration.runtime.record.IterationRecord;
import java.util.Objects;
import org.apache.flink.runtime.io.network.api.writer.SubtaskStateMapper;
import org.apache.flink.runtime.plugable.SerializationDelegate;
import org.apache.flink.streaming.runtime.partitioner.ConfigurableStreamPartitioner;
import org.apache.flink.streaming.runtime.partitioner.StreamPartitioner;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Lets a value-based partitioner (keyBy, partitionCustom, or a user's own) route {@link
 * IterationRecord}s: it hands the partitioner a record holding only the value. Round watermarks
 * need no help, Flink broadcasts watermarks on every channel.
 */
public final class ValuePartitioner<T> extends StreamPartitioner<IterationRecord<T>>
        implements ConfigurableStreamPartitioner {

    private static final long serialVersionUID = 1L;

    private final StreamPartitioner<T> valuePartitioner;
    private transient SerializationDelegate<StreamRecord<T>> valueDelegate;
    private transient StreamRecord<T> valueRecord;

    public ValuePartitioner(StreamPartitioner<T> valuePartitioner) {
        this.valuePartitioner = Objects.requireNonNull(valuePartitioner);
    }

    @Override
    public void setup(int numberOfChannels) {
        super.setup(numberOfChannels);
        valuePartitioner.setup(numberOfChannels);
    }

    @Override
    public int selectChannel(SerializationDelegate<StreamRecord<IterationRecord<T>>> record) {
        if (valueDelegate == null) {
            valueDelegate = new SerializationDelegate<>(null);
            valueRecord = new StreamRecord<>(null);
        }
        StreamRecord<IterationRecord<T>> wrapped = record.getInstance();
        valueRecord.replace(wrapped.getValue().getValue());
        if (wrapped.hasTimestamp()) {
            valueRecord.setTimestamp(wrapped.getTimestamp());
        } else {
            valueRecord.eraseTimestamp();
        }
        valueDelegate.setInstance(valueRecord);
        return valuePartitioner.selectChannel(valueDelegate);
    }

    @Override
    public void configure(int maxParallelism) {
        if (valuePartitioner instanceof ConfigurableStreamPartitioner) {
            ((ConfigurableStreamPartitioner) valuePartitioner).configure(maxParallelism);
        }
    }

    @Override
    public boolean isBroadcast() {
        return valuePartitioner.isBroadcast();
    }

    @Override
    public StreamPartitioner<IterationRecord<T>> copy() {
        return new ValuePartitioner<>(valuePartitioner.copy());
    }

    @Override
    public SubtaskStateMapper getUpstreamSubtaskStateMapper() {
        return valuePartitioner.getUpstreamSubtaskStateMapper();
    }

    @Override
    public SubtaskStateMapper getDownstreamSubtaskStateMapper() {
        return valuePartitioner.getDownstreamSubtaskStateMapper();
    }

    @Override
    public boolean isPointwise() {
        return valuePartitioner.isPointwise();
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o)
                && valuePartitioner.equals(((ValuePartitioner<?>) o).valuePartitioner);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + valuePartitioner.hashCode();
    }

    @Override
    public String toString() {
        return valuePartitioner.toString();
    }
}
