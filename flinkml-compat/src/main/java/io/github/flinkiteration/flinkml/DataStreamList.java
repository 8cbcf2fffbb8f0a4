package io.github.flinkiteration.flinkml;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * An ordered list of data streams of possibly different types, read by index: the variables, data
 * streams, feedback and outputs of an iteration.
 *
 * <pre>{@code
 * DataStreamList inputs = DataStreamList.of(model, points);
 * DataStream<Model> model = inputs.get(0);
 * }</pre>
 */
public class DataStreamList {

    private final List<DataStream<?>> dataStreams;

    /** Wraps {@code dataStreams}, copying the list. */
    public DataStreamList(List<DataStream<?>> dataStreams) {
        Objects.requireNonNull(dataStreams, "dataStreams");
        this.dataStreams = Collections.unmodifiableList(new ArrayList<>(dataStreams));
    }

    /** The list of {@code streams}, in that order. */
    public static DataStreamList of(DataStream<?>... streams) {
        return new DataStreamList(Arrays.asList(streams));
    }

    /** The number of streams. */
    public int size() {
        return dataStreams.size();
    }

    /**
     * The stream at {@code index}, cast to the type the caller expects.
     *
     * @throws IndexOutOfBoundsException if there is no stream at {@code index}
     */
    @SuppressWarnings("unchecked")
    public <T> DataStream<T> get(int index) {
        return (DataStream<T>) dataStreams.get(index);
    }

    /** All streams, in order; the list cannot be modified. */
    public List<DataStream<?>> getDataStreams() {
        return dataStreams;
    }
}
