package io.github.flinkiteration.runtime.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.runtime.protocol.FeedbackItem;
import io.github.flinkiteration.runtime.protocol.FeedbackRecord;
import io.github.flinkiteration.runtime.protocol.RoundFeedback;
import io.github.flinkiteration.runtime.protocol.RoundMarker;
import io.github.flinkiteration.runtime.protocol.SerializedFeedback;
import io.github.flinkiteration.runtime.record.IterationRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.StreamTaskActionExecutor;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.MailboxExecutorImpl;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailboxImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The channel beyond its heap limit: chunks spill to a file, come back to the head in the order
 * they were put (markers and records alike), a few megabytes per mailbox action, go into
 * checkpoints whole, and the file is emptied when nothing refers to it and deleted on close. The
 * head's mailbox is Flink's own, run by hand.
 */
class FeedbackChannelSpillTest {

    private static final int HEAP_BYTES = 4096;
    private static final int RECORDS_PER_CHUNK = 100;

    @TempDir Path spillDir;

    private final TaskMailbox mailbox = new TaskMailboxImpl();
    private final List<List<FeedbackItem>> batches = new ArrayList<>();

    private FeedbackChannel channel(int heapRecords) {
        FeedbackChannel channel =
                new FeedbackChannel(new HandoffSpill(HEAP_BYTES, heapRecords, spillDir, "test-"));
        channel.registerConsumer(
                new MailboxExecutorImpl(mailbox, 0, StreamTaskActionExecutor.IMMEDIATE),
                batches::add);
        return channel;
    }

    @Test
    void beyondTheHeapLimitChunksSpillAndComeBackInTheOrderTheyWerePut() throws Exception {
        FeedbackChannel channel = channel(Integer.MAX_VALUE);
        List<String> expected = new ArrayList<>();
        int value = 0;
        for (int round = 1; round <= 3; round++) {
            for (int chunk = 0; chunk < 20; chunk++) {
                channel.put(chunk(round, value, RECORDS_PER_CHUNK, expected));
                value += RECORDS_PER_CHUNK;
            }
            channel.put(new RoundMarker(round - 1));
            expected.add("marker " + (round - 1));
        }

        assertThat(spillFiles()).hasSize(1);
        assertThat(channel.heapBytes())
                .as("all but the first few chunks spilled")
                .isPositive()
                .isLessThanOrEqualTo(HEAP_BYTES);

        runMails();

        assertSameSequence(decode(taken()), expected);
        assertThat(Files.size(spillFiles().get(0)))
                .as("emptied once the head took everything")
                .isZero();
        channel.close();
        assertThat(spillFiles()).as("deleted on close").isEmpty();
    }

    @Test
    void theHeadReadsSpilledFeedbackBackAFewMegabytesPerMailboxAction() throws Exception {
        FeedbackChannel channel = channel(Integer.MAX_VALUE);
        List<String> expected = new ArrayList<>();
        int chunks = (int) (3 * FeedbackChannel.READ_BACK_BYTES / (RECORDS_PER_CHUNK * 5L)) + 1;
        for (int i = 0; i < chunks; i++) {
            channel.put(chunk(1, i * RECORDS_PER_CHUNK, RECORDS_PER_CHUNK, expected));
        }

        runMails();

        assertThat(batches).as("one batch per mailbox action").hasSizeGreaterThan(3);
        for (List<FeedbackItem> batch : batches) {
            long bytes = 0;
            for (FeedbackItem item : batch) {
                bytes += ((RoundFeedback) item).serializedBytes();
            }
            assertThat(bytes)
                    .isLessThanOrEqualTo(
                            FeedbackChannel.READ_BACK_BYTES
                                    + HEAP_BYTES
                                    + SerializedFeedback.CHUNK_BYTES);
        }
        assertSameSequence(decode(taken()), expected);
        channel.close();
    }

    @Test
    void checkpointsStoreSpilledFeedbackAndTheHeadStopsInsideASpilledRunAtTheCut()
            throws Exception {
        FeedbackChannel channel = channel(Integer.MAX_VALUE);
        List<String> beforeCut = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            channel.put(chunk(1, i * RECORDS_PER_CHUNK, RECORDS_PER_CHUNK, beforeCut));
        }
        // The tail snapshots first: the head must take nothing past this point before its own.
        assertThat(channel.snapshotAtTail(1)).isEmpty();
        List<String> afterCut = new ArrayList<>();
        for (int i = 30; i < 40; i++) {
            channel.put(chunk(1, i * RECORDS_PER_CHUNK, RECORDS_PER_CHUNK, afterCut));
        }

        runMails();
        assertSameSequence(decode(taken()), beforeCut);

        List<FeedbackItem> atHead = channel.snapshotAtHead(2);
        List<String> logged = new ArrayList<>();
        channel.put(chunk(1, 99_000, RECORDS_PER_CHUNK, logged));
        List<FeedbackItem> atTail = channel.snapshotAtTail(2);

        assertThat(decode(atHead))
                .as("spilled, in flight at the head's snapshot")
                .isEqualTo(afterCut);
        assertThat(decode(atTail)).as("spilled, put after the head's snapshot").isEqualTo(logged);

        batches.clear();
        runMails();
        List<String> rest = new ArrayList<>(afterCut);
        rest.addAll(logged);
        assertSameSequence(decode(taken()), rest);
        channel.close();
    }

    @Test
    void restoredFeedbackBeyondTheLimitSpillsAndComesFirst() throws Exception {
        FeedbackChannel channel =
                new FeedbackChannel(
                        new HandoffSpill(HEAP_BYTES, Integer.MAX_VALUE, spillDir, "test-"));
        List<String> fromTail = new ArrayList<>();
        channel.put(chunk(2, -1, 1, fromTail));
        List<String> expected = new ArrayList<>();
        List<FeedbackItem> restored = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            restored.add(chunk(1, i * RECORDS_PER_CHUNK, RECORDS_PER_CHUNK, expected));
        }
        channel.restore(restored);
        assertThat(spillFiles()).as("the restored feedback spilled").hasSize(1);
        channel.registerConsumer(
                new MailboxExecutorImpl(mailbox, 0, StreamTaskActionExecutor.IMMEDIATE),
                batches::add);

        runMails();

        expected.addAll(fromTail);
        assertSameSequence(decode(taken()), expected);
        channel.close();
        assertThat(spillFiles()).isEmpty();
    }

    @Test
    void recordsHandedOverAsObjectsMakeTheChannelCrowdedAtTheirLimit() throws Exception {
        FeedbackChannel channel = channel(3);
        for (int i = 0; i < 3; i++) {
            assertThat(channel.isCrowded()).isFalse();
            channel.put(new FeedbackRecord<>(new StreamRecord<>(new IterationRecord<>(1, i))));
        }
        assertThat(channel.isCrowded()).isTrue();
        List<String> expected = new ArrayList<>(List.of("1:0", "1:1", "1:2"));
        channel.put(chunk(1, 3, 1, expected));
        assertThat(spillFiles()).as("a chunk put while crowded spills").hasSize(1);

        runMails();

        assertThat(channel.isCrowded()).isFalse();
        assertSameSequence(decode(taken()), expected);
        channel.close();
    }

    /** Like containsExactly, but names the first difference at once in long sequences. */
    private static void assertSameSequence(List<String> actual, List<String> expected) {
        for (int i = 0; i < Math.min(actual.size(), expected.size()); i++) {
            assertThat(actual.get(i)).as("item %d", i).isEqualTo(expected.get(i));
        }
        assertThat(actual.size()).as("items").isEqualTo(expected.size());
    }

    private static SerializedFeedback chunk(
            int round, int firstValue, int records, List<String> expected) throws Exception {
        SerializedFeedback.Writer<Integer> writer =
                new SerializedFeedback.Writer<>(IntSerializer.INSTANCE);
        for (int i = 0; i < records; i++) {
            writer.write(
                    new StreamRecord<>(new IterationRecord<>(round - 1, firstValue + i)), round);
            expected.add(round + ":" + (firstValue + i));
        }
        return writer.take();
    }

    private static List<String> decode(List<FeedbackItem> items) throws Exception {
        List<String> decoded = new ArrayList<>();
        for (FeedbackItem item : items) {
            if (item instanceof RoundMarker marker) {
                decoded.add("marker " + marker.round);
            } else {
                ((RoundFeedback) item)
                        .emit(
                                IntSerializer.INSTANCE,
                                record ->
                                        decoded.add(
                                                record.getValue().getRound()
                                                        + ":"
                                                        + record.getValue().getValue()));
            }
        }
        return decoded;
    }

    private List<FeedbackItem> taken() {
        List<FeedbackItem> all = new ArrayList<>();
        batches.forEach(all::addAll);
        return all;
    }

    private List<Path> spillFiles() throws Exception {
        try (Stream<Path> files = Files.list(spillDir)) {
            return files.toList();
        }
    }

    private void runMails() throws Exception {
        Optional<Mail> mail;
        while ((mail = mailbox.tryTake(0)).isPresent()) {
            mail.get().run();
        }
    }
}
