package io.github.flinkiteration.runtime.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.runtime.memory.MemoryManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The buffer keeps records in its pages, spills the rest to a file, reads them back in order. */
class SpillingBufferTest {

    private static final int PAGE = 4096;

    private final MemoryManager memory = MemoryManager.create(16 * PAGE, PAGE);
    private final Object owner = new Object();

    @TempDir Path spillDirectory;

    @AfterEach
    void allPagesAreBack() {
        assertThat(memory.verifyEmpty()).as("every page released").isTrue();
        memory.shutdown();
    }

    private SpillingBuffer<String> buffer(int pages) {
        return new SpillingBuffer<>(
                StringSerializer.INSTANCE, memory, owner, pages, spillDirectory, "test-");
    }

    /** A buffer of {@code pages} pages holding {@code records}, finished for reading. */
    private SpillingBuffer<String> filled(int pages, List<String> records) throws Exception {
        SpillingBuffer<String> buffer = buffer(pages);
        for (String record : records) {
            buffer.append(record);
        }
        buffer.finish();
        return buffer;
    }

    private static List<String> records(int count, int length) {
        List<String> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder record = new StringBuilder(i + ":");
            while (record.length() < length) {
                record.append((char) ('a' + (i + record.length()) % 26));
            }
            records.add(record.toString());
        }
        return records;
    }

    private static List<String> readAll(SpillingBuffer<String> buffer) throws Exception {
        List<String> read = new ArrayList<>();
        Iterator<String> it = buffer.read();
        it.forEachRemaining(read::add);
        return read;
    }

    private long filesInSpillDirectory() throws Exception {
        try (Stream<Path> files = Files.list(spillDirectory)) {
            return files.count();
        }
    }

    @Test
    void whatFitsStaysInMemoryAndReadsBackTwice() throws Exception {
        List<String> records = records(100, 20);
        try (SpillingBuffer<String> buffer = filled(8, records)) {
            assertThat(buffer.spilledBytes()).isZero();
            assertThat(filesInSpillDirectory()).isZero();
            assertThat(readAll(buffer)).isEqualTo(records);
            assertThat(readAll(buffer)).isEqualTo(records);
        }
    }

    @Test
    void beyondItsPagesItSpillsAndStillReadsEverythingInOrder() throws Exception {
        // About 60 KB of records against 4 pages (16 KB); some records span pages.
        List<String> records = records(1_000, 60);
        try (SpillingBuffer<String> buffer = filled(4, records)) {
            assertThat(buffer.memoryBytes()).isEqualTo(4L * PAGE);
            assertThat(buffer.spilledBytes()).isPositive();
            assertThat(filesInSpillDirectory()).isEqualTo(1);
            assertThat(readAll(buffer)).isEqualTo(records);
            assertThat(readAll(buffer)).isEqualTo(records);
            assertThat(buffer.size()).isEqualTo(records.size());
        }
        assertThat(filesInSpillDirectory()).as("spill file deleted at close").isZero();
    }

    @Test
    void recordsLargerThanAPageWork() throws Exception {
        List<String> records = records(20, 3 * PAGE);
        try (SpillingBuffer<String> buffer = filled(8, records)) {
            assertThat(readAll(buffer)).isEqualTo(records);
        }
    }

    @Test
    void withoutAShareEverythingGoesToTheFile() throws Exception {
        List<String> records = records(50, 10);
        try (SpillingBuffer<String> buffer = filled(0, records)) {
            assertThat(buffer.memoryBytes()).isZero();
            assertThat(readAll(buffer)).isEqualTo(records);
        }
        assertThat(filesInSpillDirectory()).isZero();
    }

    @Test
    void anEmptyBufferReadsNothing() throws Exception {
        try (SpillingBuffer<String> buffer = buffer(4)) {
            buffer.finish();
            assertThat(readAll(buffer)).isEmpty();
        }
    }

    @Test
    void aReadCanStartAtAnyRecordAndTheLayoutSaysWhereTheyLie() throws Exception {
        List<String> records = records(1_000, 60);
        try (SpillingBuffer<String> buffer = filled(4, records)) {
            for (int from : new int[] {0, 1, 273, 999, 1_000}) {
                List<String> rest = new ArrayList<>();
                buffer.read(from).forEachRemaining(rest::add);
                assertThat(rest).isEqualTo(records.subList(from, records.size()));
            }
            SpillingBuffer.Layout layout = buffer.layout();
            assertThat(layout.records()).isEqualTo(records.size());
            assertThat(layout.memoryBytes()).isEqualTo(4L * PAGE);
            assertThat(layout.spilledBytes()).isEqualTo(buffer.spilledBytes()).isPositive();
            assertThat(layout.spillFile()).exists().hasParent(spillDirectory);
            assertThat(Files.size(layout.spillFile())).isEqualTo(layout.spilledBytes());
        }
    }

    @Test
    void aFrozenViewKeepsWhatWasAppendedBeforeItAndItsPagesOutliveClose() throws Exception {
        List<String> records = records(600, 40); // about 25 KB: 4 pages, the rest in the file
        SpillingBuffer<String> buffer = buffer(4);
        for (String record : records.subList(0, 400)) {
            buffer.append(record);
        }
        SpillingBuffer<String>.Frozen frozen = buffer.freeze();
        for (String record : records.subList(400, 600)) {
            buffer.append(record); // after the freeze: not in the view
        }
        buffer.finish();
        buffer.close();
        assertThat(memory.verifyEmpty()).as("pages kept for the open view").isFalse();
        assertThat(filesInSpillDirectory()).as("spill file kept for the open view").isOne();

        ByteArrayOutputStream written = new ByteArrayOutputStream();
        frozen.writeTo(written, 0, frozen.bytes());
        DataInputDeserializer in = new DataInputDeserializer(written.toByteArray());
        List<String> read = new ArrayList<>();
        for (long i = 0; i < frozen.records(); i++) {
            read.add(StringSerializer.INSTANCE.deserialize(in));
        }
        assertThat(in.available()).as("bytes after the frozen records").isZero();
        assertThat(read).isEqualTo(records.subList(0, 400));

        frozen.close();
        frozen.close(); // again: nothing more to give back
        assertThat(memory.verifyEmpty()).as("pages back once the view closed").isTrue();
        assertThat(filesInSpillDirectory()).as("spill file deleted").isZero();
    }

    @Test
    void aViewReadsAnyRangeAcrossPagesAndFile() throws Exception {
        List<String> records = records(600, 40);
        try (SpillingBuffer<String> buffer = filled(2, records)) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            ByteArrayOutputStream middle = new ByteArrayOutputStream();
            try (SpillingBuffer<String>.Frozen frozen = buffer.freeze()) {
                assertThat(frozen.bytes()).isGreaterThan(2 * PAGE);
                frozen.writeTo(all, 0, frozen.bytes());
                frozen.writeTo(middle, PAGE - 7, PAGE + 100); // from a page into the file
            }
            byte[] expected = Arrays.copyOfRange(all.toByteArray(), PAGE - 7, 2 * PAGE + 93);
            assertThat(middle.toByteArray()).isEqualTo(expected);
        }
    }
}
