package io.github.flinkiteration.runtime.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rounds on the wire: a variable-length long, so that an unbounded iteration can count past {@link
 * Integer#MAX_VALUE} while the rounds of ordinary jobs stay as small as they were (or smaller).
 */
class IterationRecordSerializerTest {

    private static final IterationRecordSerializer<String> SERIALIZER =
            new IterationRecordSerializer<>(StringSerializer.INSTANCE);

    @ParameterizedTest
    @ValueSource(
            longs = {
                0,
                127,
                128,
                16_383,
                16_384,
                Integer.MAX_VALUE - 1L,
                Integer.MAX_VALUE,
                Integer.MAX_VALUE + 1L,
                1L << 40,
                Long.MAX_VALUE
            })
    void everyRoundComesBackExactlyThroughEachPath(long round) throws Exception {
        IterationRecord<String> record = new IterationRecord<>(round, "v");
        DataOutputSerializer out = new DataOutputSerializer(32);
        SERIALIZER.serialize(record, out);
        byte[] bytes = out.getCopyOfBuffer();

        assertThat(SERIALIZER.deserialize(new DataInputDeserializer(bytes))).isEqualTo(record);
        IterationRecord<String> reused =
                SERIALIZER.deserialize(
                        new IterationRecord<>(5, "old"), new DataInputDeserializer(bytes));
        assertThat(reused.getRound()).isEqualTo(round);
        assertThat(reused.getValue()).isEqualTo("v");

        DataOutputSerializer copied = new DataOutputSerializer(32);
        SERIALIZER.copy(new DataInputDeserializer(bytes), copied);
        assertThat(copied.getCopyOfBuffer()).isEqualTo(bytes);
        assertThat(SERIALIZER.copy(record)).isEqualTo(record);
    }

    @Test
    void aRoundTakesSevenBitsPerByte() throws Exception {
        // 7 bits per byte, computed here by hand: 2^7 - 1 fits one byte, 2^14 - 1 two, 2^31 five.
        assertThat(roundBytes(0)).isEqualTo(1);
        assertThat(roundBytes(127)).isEqualTo(1);
        assertThat(roundBytes(128)).isEqualTo(2);
        assertThat(roundBytes(16_383)).isEqualTo(2);
        assertThat(roundBytes(16_384)).isEqualTo(3);
        assertThat(roundBytes(Integer.MAX_VALUE)).isEqualTo(5);
        assertThat(roundBytes(Integer.MAX_VALUE + 1L)).isEqualTo(5);
        assertThat(roundBytes(1L << 40)).isEqualTo(6);
        assertThat(roundBytes(Long.MAX_VALUE)).isEqualTo(9);
    }

    @Test
    void recordsOfDifferentRoundsFollowEachOtherInOneStream() throws Exception {
        long[] rounds = {Integer.MAX_VALUE, 3, Integer.MAX_VALUE + 1L, 128, Long.MAX_VALUE};
        DataOutputSerializer out = new DataOutputSerializer(64);
        for (long round : rounds) {
            SERIALIZER.serialize(new IterationRecord<>(round, "r" + round), out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        for (long round : rounds) {
            assertThat(SERIALIZER.deserialize(in))
                    .isEqualTo(new IterationRecord<>(round, "r" + round));
        }
        assertThat(in.available()).isZero();
    }

    @Test
    void aSnapshotOfTheIntRoundFormatIsIncompatible() throws Exception {
        byte[] current = writeSnapshot();
        byte[] older = withOuterVersion(current, 1);

        assertThat(resolve(current).isCompatibleAsIs()).isTrue();
        TypeSerializerSchemaCompatibility<IterationRecord<String>> fromOlder = resolve(older);
        assertThat(fromOlder.isIncompatible())
                .as("records written with int rounds cannot be read as VarLong rounds")
                .isTrue();
    }

    private static int roundBytes(long round) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(16);
        SERIALIZER.serialize(new IterationRecord<>(round, ""), out);
        // An empty string takes one byte (its length) in StringSerializer.
        return out.length() - 1;
    }

    private static byte[] writeSnapshot() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, SERIALIZER.snapshotConfiguration());
        return out.getCopyOfBuffer();
    }

    /**
     * The same snapshot as the previous version of the runtime wrote it: its bytes differ only in
     * the outer version that follows the composite snapshot's magic number.
     */
    private static byte[] withOuterVersion(byte[] snapshot, int version) {
        ByteBuffer buffer = ByteBuffer.wrap(snapshot.clone());
        for (int i = 0; i + 8 <= snapshot.length; i++) {
            if (buffer.getInt(i) == COMPOSITE_MAGIC_NUMBER && buffer.getInt(i + 4) == 2) {
                buffer.putInt(i + 4, version);
                return buffer.array();
            }
        }
        throw new AssertionError("No outer snapshot version found in the snapshot's bytes");
    }

    /** CompositeTypeSerializerSnapshot's marker before the outer version (Flink 2.3). */
    private static final int COMPOSITE_MAGIC_NUMBER = 911108;

    private static TypeSerializerSchemaCompatibility<IterationRecord<String>> resolve(byte[] bytes)
            throws Exception {
        TypeSerializerSnapshot<IterationRecord<String>> old =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(bytes),
                        IterationRecordSerializerTest.class.getClassLoader());
        return SERIALIZER.snapshotConfiguration().resolveSchemaCompatibility(old);
    }
}
