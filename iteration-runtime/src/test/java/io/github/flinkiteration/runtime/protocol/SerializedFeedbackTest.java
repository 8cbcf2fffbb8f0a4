package io.github.flinkiteration.runtime.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.record.IterationRecordSerializer;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.function.ThrowingConsumer;
import org.junit.jupiter.api.Test;

/**
 * A tail's serialized feedback gives the head back every record, in order, with its round and
 * timestamp; chunks stay near their size and never mix rounds; checkpoints keep them whole.
 */
class SerializedFeedbackTest {

    private final SerializedFeedback.Writer<String> writer =
            new SerializedFeedback.Writer<>(StringSerializer.INSTANCE);
    private final List<SerializedFeedback> chunks = new ArrayList<>();

    @Test
    void recordsComeBackInOrderWithTheirRoundAndTimestamp() throws Exception {
        List<StreamRecord<IterationRecord<String>>> written = new ArrayList<>();
        for (int round = 1; round <= 2; round++) {
            for (int i = 0; i < 60_000; i++) {
                String value = "value-" + round + "-" + i;
                StreamRecord<IterationRecord<String>> record =
                        i % 3 == 0
                                ? new StreamRecord<>(new IterationRecord<>(round - 1, value), i)
                                : new StreamRecord<>(new IterationRecord<>(round - 1, value));
                add(writer.write(record, round));
                written.add(
                        i % 3 == 0
                                ? new StreamRecord<>(new IterationRecord<>(round, value), i)
                                : new StreamRecord<>(new IterationRecord<>(round, value)));
            }
        }
        add(writer.take());
        assertThat(writer.take()).isNull();

        List<StreamRecord<IterationRecord<String>>> read = new ArrayList<>();
        for (SerializedFeedback chunk : chunks) {
            assertThat(chunk.length()).isLessThan(SerializedFeedback.CHUNK_BYTES + 64);
            chunk.emit(StringSerializer.INSTANCE, keepIn(read));
        }
        assertThat(chunks).hasSizeGreaterThan(4);
        assertThat(chunks.stream().mapToInt(chunk -> chunk.count()).sum()).isEqualTo(120_000);
        assertThat(read).isEqualTo(written);
        // A chunk holds one round: the chunks of round 2 hold exactly round 2's records.
        List<StreamRecord<IterationRecord<String>>> round2 = new ArrayList<>();
        for (SerializedFeedback chunk : chunks) {
            if (chunk.round() == 2) {
                chunk.emit(StringSerializer.INSTANCE, keepIn(round2));
            }
        }
        assertThat(round2).isEqualTo(written.subList(60_000, 120_000));
    }

    @Test
    void aChunkSurvivesTheCheckpointCodecWhole() throws Exception {
        for (int i = 0; i < 1_000; i++) {
            add(writer.write(new StreamRecord<>(new IterationRecord<>(4, "v" + i), 100L + i), 5));
        }
        SerializedFeedback chunk = writer.take();
        FeedbackItemCodec<String> codec =
                new FeedbackItemCodec<>(new IterationRecordSerializer<>(StringSerializer.INSTANCE));
        DataOutputSerializer out = new DataOutputSerializer(64);
        codec.write(chunk, out);
        SerializedFeedback restored =
                (SerializedFeedback)
                        codec.read(
                                new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));

        assertThat(restored.round()).isEqualTo(5);
        assertThat(restored.count()).isEqualTo(1_000);
        List<StreamRecord<IterationRecord<String>>> before = new ArrayList<>();
        List<StreamRecord<IterationRecord<String>>> after = new ArrayList<>();
        chunk.emit(StringSerializer.INSTANCE, keepIn(before));
        restored.emit(StringSerializer.INSTANCE, keepIn(after));
        assertThat(after).isEqualTo(before).hasSize(1_000);
    }

    @Test
    void aRoundOfAFewRecordsTakesASmallBufferEvenAfterAFullOne() throws Exception {
        writeRound(1, 3);
        writeRound(2, 40_000);
        writeRound(3, 3);
        writeRound(4, 3);
        add(writer.take());

        int maxCapacity = SerializedFeedback.MIN_CAPACITY << 10;
        assertThat(chunks)
                .allSatisfy(
                        chunk -> assertThat(chunk.bytes()).hasSizeLessThanOrEqualTo(maxCapacity));
        assertThat(chunks.get(0).bytes()).hasSize(SerializedFeedback.MIN_CAPACITY);
        assertThat(chunks.stream().filter(chunk -> chunk.round() == 2).count()).isGreaterThan(1);
        // The round after a full one may start from a large buffer; the next one is small again.
        SerializedFeedback last = chunks.get(chunks.size() - 1);
        assertThat(last.round()).isEqualTo(4);
        assertThat(last.bytes()).hasSize(SerializedFeedback.MIN_CAPACITY);
    }

    @Test
    @SuppressWarnings("unchecked")
    void intoOneRecordGivesTheSameRecordsWithTheirOwnTimestamps() throws Exception {
        add(writer.write(new StreamRecord<>(new IterationRecord<>(2, "a"), 5L), 3));
        add(writer.write(new StreamRecord<>(new IterationRecord<>(2, "b")), 3));
        add(writer.write(new StreamRecord<>(new IterationRecord<>(2, "c"), 7L), 3));
        SerializedFeedback chunk = writer.take();
        List<StreamRecord<IterationRecord<String>>> each = new ArrayList<>();
        List<StreamRecord<IterationRecord<String>>> reused = new ArrayList<>();
        List<Object> seen = new ArrayList<>();

        chunk.emit(StringSerializer.INSTANCE, keepIn(each));
        chunk.emitIntoOneRecord(
                StringSerializer.INSTANCE,
                record -> {
                    seen.add(record);
                    keepIn(reused).accept(record);
                    // A consumer may unwrap the record in place; the next one is whole again.
                    ((StreamRecord<Object>) (StreamRecord<?>) record).replace("unwrapped");
                });

        assertThat(reused).isEqualTo(each).hasSize(3);
        assertThat(reused.get(1).hasTimestamp())
                .as("no timestamp left from the record before")
                .isFalse();
        assertThat(seen)
                .as("one record object")
                .allSatisfy(r -> assertThat(r).isSameAs(seen.get(0)));
    }

    @Test
    void aWriterWritesIntoBuffersGivenBackToItsPool() throws Exception {
        SerializedFeedback.BufferPool pool = new SerializedFeedback.BufferPool();
        SerializedFeedback.Writer<String> pooled =
                new SerializedFeedback.Writer<>(StringSerializer.INSTANCE, pool);
        pooled.write(new StreamRecord<>(new IterationRecord<>(0, "first")), 1);
        SerializedFeedback first = pooled.take();
        pool.giveBack(first);
        pooled.write(new StreamRecord<>(new IterationRecord<>(0, "second")), 1);
        SerializedFeedback second = pooled.take();

        assertThat(second.bytes()).as("the buffer given back").isSameAs(first.bytes());
        List<StreamRecord<IterationRecord<String>>> read = new ArrayList<>();
        second.emit(StringSerializer.INSTANCE, keepIn(read));
        assertThat(read).containsExactly(new StreamRecord<>(new IterationRecord<>(1, "second")));

        pooled.write(new StreamRecord<>(new IterationRecord<>(0, "third")), 1);
        assertThat(pooled.take().bytes()).as("the pool was empty").isNotSameAs(first.bytes());
        pool.giveBack(new SerializedFeedback(1, new byte[8], 0, 0));
        pooled.write(new StreamRecord<>(new IterationRecord<>(0, "fourth")), 1);
        assertThat(pooled.take().bytes())
                .as("a chunk not written by a writer has no buffer to give back")
                .hasSizeGreaterThan(8);
    }

    @Test
    void aPoolKeepsBuffersUpToItsLimit() throws Exception {
        SerializedFeedback.BufferPool pool = new SerializedFeedback.BufferPool();
        SerializedFeedback.Writer<String> big =
                new SerializedFeedback.Writer<>(StringSerializer.INSTANCE);
        List<SerializedFeedback> full = new ArrayList<>();
        String value = "x".repeat(1000);
        while (full.size() * SerializedFeedback.CHUNK_BYTES
                <= SerializedFeedback.BufferPool.MAX_BYTES + SerializedFeedback.CHUNK_BYTES) {
            SerializedFeedback chunk =
                    big.write(new StreamRecord<>(new IterationRecord<>(0, value)), 1);
            if (chunk != null) {
                full.add(chunk);
            }
        }
        full.forEach(pool::giveBack);

        int kept = 0;
        while (pool.poll() != null) {
            kept++;
        }
        assertThat(kept).isLessThan(full.size());
        assertThat((long) kept * SerializedFeedback.CHUNK_BYTES)
                .isLessThanOrEqualTo(SerializedFeedback.BufferPool.MAX_BYTES);
    }

    /**
     * Keeps each record emitted: a copy of its envelope, which the chunk reuses from record to
     * record, as every consumer that keeps records must.
     */
    private static ThrowingConsumer<StreamRecord<IterationRecord<String>>, Exception> keepIn(
            List<StreamRecord<IterationRecord<String>>> kept) {
        return record ->
                kept.add(
                        record.copy(
                                new IterationRecord<>(
                                        record.getValue().getRound(),
                                        record.getValue().getValue())));
    }

    private void writeRound(int round, int records) throws Exception {
        for (int i = 0; i < records; i++) {
            add(writer.write(new StreamRecord<>(new IterationRecord<>(round - 1, "r" + i)), round));
        }
    }

    private void add(SerializedFeedback chunk) {
        if (chunk != null) {
            chunks.add(chunk);
        }
    }
}
