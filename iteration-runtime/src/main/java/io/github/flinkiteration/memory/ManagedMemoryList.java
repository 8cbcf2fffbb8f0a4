package io.github.flinkiteration.memory;

import io.github.flinkiteration.api.SpillOptions;
import io.github.flinkiteration.runtime.replay.SpillingBuffer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.core.memory.ManagedMemoryUseCase;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;

/**
 * A large list for an operator's own use, kept in the operator's share of managed memory and
 * spilled to local files beyond it: the storage the iteration uses to replay constants, for
 * algorithm authors who gather many records and go over them several times.
 *
 * <pre>{@code
 * class GatherAndScan extends AbstractStreamOperator<Long>
 *         implements OneInputStreamOperator<Point, Long>, BoundedOneInput {
 *     private transient ManagedMemoryList<Point> points;
 *
 *     public void open() throws Exception {
 *         super.open();
 *         points = ManagedMemoryList.create(this, pointSerializer, "points");
 *     }
 *     public void processElement(StreamRecord<Point> element) throws Exception {
 *         points.add(element.getValue());
 *     }
 *     public void endInput() {
 *         for (int pass = 0; pass < 3; pass++) {
 *             for (Point p : points) { ... }      // each pass reads fresh objects
 *         }
 *     }
 *     public void close() throws Exception {
 *         points.close();                         // pages back, spill file deleted
 *         super.close();
 *     }
 * }
 *
 * SingleOutputStreamOperator<Long> op = input.transform("gather", Types.LONG, new GatherAndScan());
 * ManagedMemoryList.declareManagedMemory(op.getTransformation(), 100);
 * }</pre>
 *
 * <p>Records are appended, then read as often as needed; appending after a read needs {@link
 * #clear()} first. The lists of one operator share its managed memory, first come first served;
 * what does not fit spills to {@link SpillOptions#SPILL_DIRECTORIES}. The list is not part of
 * Flink's checkpoints: an operator that needs it after a restore must snapshot it itself. Use it
 * from the operator's task thread only, and close it in the operator's {@code close()}, which Flink
 * also calls on failure and cancellation.
 */
public final class ManagedMemoryList<T> implements Iterable<T>, AutoCloseable {

    private final AbstractStreamOperator<?> operator;
    private final TypeSerializer<T> serializer;
    private final String name;
    private SpillingBuffer<T> buffer;
    private boolean reading;

    private ManagedMemoryList(
            AbstractStreamOperator<?> operator, TypeSerializer<T> serializer, String name) {
        this.operator = operator;
        this.serializer = serializer;
        this.name = name;
        this.buffer = SpillingBuffer.forOperator(operator, serializer, name);
    }

    /**
     * An empty list in {@code operator}'s managed memory; call from {@code open()} or later.
     *
     * @param name tells the list's spill file apart
     */
    public static <T> ManagedMemoryList<T> create(
            AbstractStreamOperator<?> operator, TypeSerializer<T> serializer, String name) {
        return new ManagedMemoryList<>(operator, serializer, name);
    }

    /**
     * Gives the operator of {@code transformation} a share of its slot's managed memory for its
     * lists: {@code weight} against the other operators of the slot that declare one.
     */
    public static void declareManagedMemory(Transformation<?> transformation, int weight) {
        transformation.declareManagedMemoryUseCaseAtOperatorScope(
                ManagedMemoryUseCase.OPERATOR, weight);
    }

    public void add(T value) {
        if (reading) {
            throw new IllegalStateException(
                    "ManagedMemoryList '"
                            + name
                            + "' was read already; call clear() before adding again.");
        }
        try {
            buffer.append(value);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not add to ManagedMemoryList '" + name + "'", e);
        }
    }

    public void addAll(Iterable<? extends T> values) {
        for (T value : values) {
            add(value);
        }
    }

    /** Reads the list from the start; a new iteration ends the previous one. */
    @Override
    public Iterator<T> iterator() {
        try {
            if (!reading) {
                buffer.finish();
                reading = true;
            }
            return buffer.read();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read ManagedMemoryList '" + name + "'", e);
        }
    }

    public long size() {
        return buffer.size();
    }

    /** Bytes that did not fit in managed memory and went to the spill file. */
    public long spilledBytes() {
        return buffer.spilledBytes();
    }

    /** Empties the list, giving back its memory and deleting its spill file. */
    public void clear() {
        close();
        buffer = SpillingBuffer.forOperator(operator, serializer, name);
        reading = false;
    }

    @Override
    public void close() {
        try {
            buffer.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not close ManagedMemoryList '" + name + "'", e);
        }
    }
}
