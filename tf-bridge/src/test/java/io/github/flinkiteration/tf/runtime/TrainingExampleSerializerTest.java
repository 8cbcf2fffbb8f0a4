package io.github.flinkiteration.tf.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * {@link TrainingExample}s written by {@link TrainingExampleSerializer} read back equal, bit for
 * bit (NaN, -0, extremes), whatever the feature count; Flink finds the serializer through the
 * class's type; its snapshot restores a compatible serializer.
 */
class TrainingExampleSerializerTest {

    private static final float[][] FEATURES = {
        {},
        {1.5f},
        {Float.NaN, -0f, Float.MAX_VALUE, Float.MIN_VALUE, Float.NEGATIVE_INFINITY, 3.25f},
        new float[1000]
    };

    @Test
    void examplesReadBackBitForBit() throws Exception {
        TrainingExampleSerializer serializer = new TrainingExampleSerializer();
        DataOutputSerializer out = new DataOutputSerializer(64);
        for (int i = 0; i < FEATURES.length; i++) {
            serializer.serialize(new TrainingExample(i * 1_000_000_007L, FEATURES[i], -i), out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        DataOutputSerializer copied = new DataOutputSerializer(64);
        for (int i = 0; i < FEATURES.length; i++) {
            TypeSerializer<TrainingExample> other = serializer.duplicate();
            // copy() moves one serialized example from view to view; read it back from there.
            other.copy(in, copied);
        }
        DataInputDeserializer again = new DataInputDeserializer(copied.getCopyOfBuffer());
        for (int i = 0; i < FEATURES.length; i++) {
            TrainingExample read = serializer.deserialize(again);
            assertThat(read.sequence).isEqualTo(i * 1_000_000_007L);
            assertThat(read.label).isEqualTo((float) -i);
            assertThat(read.features).hasSize(FEATURES[i].length);
            for (int f = 0; f < FEATURES[i].length; f++) {
                assertThat(Float.floatToRawIntBits(read.features[f]))
                        .isEqualTo(Float.floatToRawIntBits(FEATURES[i][f]));
            }
        }
        assertThat(again.available()).isZero();
    }

    @Test
    void flinkUsesItAndItsSnapshotRestoresACompatibleSerializer() throws Exception {
        TypeInformation<TrainingExample> type = TypeInformation.of(TrainingExample.class);
        assertThat(type).isInstanceOf(TrainingExampleTypeInfo.class);
        TypeSerializer<TrainingExample> serializer = type.createSerializer(null);
        assertThat(serializer).isInstanceOf(TrainingExampleSerializer.class);

        TypeSerializerSnapshot<TrainingExample> snapshot = serializer.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(16);
        snapshot.writeSnapshot(out);
        TypeSerializerSnapshot<TrainingExample> read = new TrainingExampleSerializer.Snapshot();
        read.readSnapshot(
                snapshot.getCurrentVersion(),
                new DataInputDeserializer(out.getCopyOfBuffer()),
                getClass().getClassLoader());
        assertThat(read.restoreSerializer()).isEqualTo(serializer);
        TypeSerializerSchemaCompatibility<TrainingExample> compatibility =
                serializer.snapshotConfiguration().resolveSchemaCompatibility(read);
        assertThat(compatibility.isCompatibleAsIs()).isTrue();
    }
}
