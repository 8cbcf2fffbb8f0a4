package io.github.flinkiteration.runtime.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.runtime.protocol.SerializedFeedback;
import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.replay.SpillingBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.memory.MemoryManager;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A held round keeps its chunks in pages and a spill file, emits them chunk by chunk in order, and
 * a checkpoint taken half way through restores exactly the chunks not emitted yet.
 */
class HeldRoundTest {

    private static final int PAGE = 4096;

    private final MemoryManager memory = MemoryManager.create(8 * PAGE, PAGE);

    @TempDir Path spillDirectory;

    @AfterEach
    void allPagesAreBack() {
        assertThat(memory.verifyEmpty()).as("every page released").isTrue();
        memory.shutdown();
    }

    private SpillingBuffer<Void> buffer(int pages) {
        return new SpillingBuffer.Share(memory, 8, spillDirectory, "held-test-").bytesBuffer(pages);
    }

    @Test
    void aHalfEmittedRoundRestoresTheRestInOrderAndLeavesNoFile() throws Exception {
        long records = 20_000; // 9 bytes each: 180 KB against 16 KB of pages
        HeldRound held = new HeldRound(3, buffer(4));
        SerializedFeedback.Writer<Long> writer =
                new SerializedFeedback.Writer<>(LongSerializer.INSTANCE);
        for (long i = 0; i < records; i++) {
            // Small chunks, so that emitting and restoring cut between many of them.
            if (i % 1000 == 0 && i > 0) {
                held.add(writer.take());
            }
            SerializedFeedback full =
                    writer.write(new StreamRecord<>(new IterationRecord<>(3, i)), 3);
            if (full != null) {
                held.add(full);
            }
        }
        held.add(writer.take());
        assertThat(held.records()).isEqualTo(records);
        assertThat(filesIn(spillDirectory)).as("spill files while held").isEqualTo(1);

        List<Long> emitted = new ArrayList<>();
        for (int chunk = 0; chunk < 7; chunk++) {
            assertThat(held.emitChunk(LongSerializer.INSTANCE, r -> emitted.add(value(r, 3))))
                    .isTrue();
        }
        DataOutputSerializer checkpoint = new DataOutputSerializer(1024);
        held.writeRemaining(checkpoint);
        // The original goes on emitting; the checkpoint does not disturb it.
        while (held.emitChunk(LongSerializer.INSTANCE, r -> emitted.add(value(r, 3)))) {}
        held.close();
        assertThat(emitted).isEqualTo(sequence(0, records));

        HeldRound restored =
                HeldRound.read(
                        new DataInputDeserializer(
                                checkpoint.getSharedBuffer(), 0, checkpoint.length()),
                        buffer(2));
        assertThat(restored.round()).isEqualTo(3);
        assertThat(restored.records()).isEqualTo(records - 7000);
        List<Long> rest = new ArrayList<>();
        while (restored.emitChunk(LongSerializer.INSTANCE, r -> rest.add(value(r, 3)))) {}
        assertThat(rest).isEqualTo(sequence(7000, records));
        assertThat(restored.records()).isZero();
        restored.close();
        assertThat(filesIn(spillDirectory)).as("spill files after close").isZero();
    }

    private static long value(StreamRecord<IterationRecord<Long>> record, int round) {
        assertThat(record.getValue().getRound()).isEqualTo(round);
        return record.getValue().getValue();
    }

    private static List<Long> sequence(long from, long to) {
        List<Long> values = new ArrayList<>();
        for (long i = from; i < to; i++) {
            values.add(i);
        }
        return values;
    }

    private static long filesIn(Path directory) throws Exception {
        try (Stream<Path> files = Files.list(directory)) {
            return files.count();
        }
    }
}
