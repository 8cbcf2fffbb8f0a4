package io.github.flinkiteration.tf.runtime;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes a {@link TrainingExample} as its sequence number, label, feature count and the features'
 * bytes in one block. Why not the POJO serializer: it reads a {@code float[]} one float at a time,
 * and the iteration replays every training row from its cache in every round, so reading the rows
 * back bounded a trainer's speed; one bulk read per row does not.
 */
public final class TrainingExampleSerializer extends TypeSerializer<TrainingExample> {

    /** A row's feature bytes, reused: an instance serves one thread ({@link #duplicate}). */
    private transient byte[] buffer;

    @Override
    public TypeSerializer<TrainingExample> duplicate() {
        return new TrainingExampleSerializer();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TrainingExampleSerializer;
    }

    @Override
    public int hashCode() {
        return TrainingExampleSerializer.class.hashCode();
    }

    private byte[] buffer(int bytes) {
        if (buffer == null || buffer.length < bytes) {
            buffer = new byte[bytes];
        }
        return buffer;
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TrainingExample createInstance() {
        return new TrainingExample(0, new float[0], 0);
    }

    @Override
    public TrainingExample copy(TrainingExample from) {
        return new TrainingExample(from.sequence, from.features.clone(), from.label);
    }

    @Override
    public TrainingExample copy(TrainingExample from, TrainingExample reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(TrainingExample example, DataOutputView target) throws IOException {
        float[] features = example.features;
        target.writeLong(example.sequence);
        target.writeFloat(example.label);
        target.writeInt(features.length);
        byte[] bytes = buffer(features.length * Float.BYTES);
        for (int i = 0; i < features.length; i++) {
            int bits = Float.floatToRawIntBits(features[i]);
            int at = i * Float.BYTES;
            bytes[at] = (byte) (bits >>> 24);
            bytes[at + 1] = (byte) (bits >>> 16);
            bytes[at + 2] = (byte) (bits >>> 8);
            bytes[at + 3] = (byte) bits;
        }
        target.write(bytes, 0, features.length * Float.BYTES);
    }

    @Override
    public TrainingExample deserialize(DataInputView source) throws IOException {
        long sequence = source.readLong();
        float label = source.readFloat();
        int count = source.readInt();
        byte[] bytes = buffer(count * Float.BYTES);
        source.readFully(bytes, 0, count * Float.BYTES);
        float[] features = new float[count];
        for (int i = 0; i < count; i++) {
            int at = i * Float.BYTES;
            features[i] =
                    Float.intBitsToFloat(
                            (bytes[at] & 0xff) << 24
                                    | (bytes[at + 1] & 0xff) << 16
                                    | (bytes[at + 2] & 0xff) << 8
                                    | (bytes[at + 3] & 0xff));
        }
        return new TrainingExample(sequence, features, label);
    }

    @Override
    public TrainingExample deserialize(TrainingExample reuse, DataInputView source)
            throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public TypeSerializerSnapshot<TrainingExample> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer has no configuration: its snapshot makes a new one. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<TrainingExample> {
        public Snapshot() {
            super(TrainingExampleSerializer::new);
        }
    }
}
