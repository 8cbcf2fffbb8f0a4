package io.github.flinkiteration.runtime.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.runtime.protocol.FeedbackItem;
import io.github.flinkiteration.runtime.protocol.FeedbackRecord;
import io.github.flinkiteration.runtime.protocol.RoundDecision;
import io.github.flinkiteration.runtime.protocol.RoundMarker;
import io.github.flinkiteration.runtime.protocol.SerializedFeedback;
import io.github.flinkiteration.runtime.record.IterationRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.StreamTaskActionExecutor;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.MailboxExecutorImpl;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailboxImpl;

/**
 * Reads a feedback channel where the head would, in a mailbox of its own run by hand, and writes
 * each item down: {@code "record 1:10@5"}, {@code "chunk 1:[10, 11]"}, {@code "marker 0"}, {@code
 * "decision 0 continue"}. Values are {@code Integer}s.
 */
final class ChannelReader {

    private final TaskMailbox mailbox = new TaskMailboxImpl();
    private final List<String> taken = new ArrayList<>();

    /** Registers as the consumer of the channel that {@code operator} (a tail, a decider) uses. */
    void listen(AbstractStreamOperator<?> operator, String iterationId, String variable)
            throws Exception {
        FeedbackChannels.acquire(operator, iterationId, variable)
                .registerConsumer(
                        new MailboxExecutorImpl(mailbox, 0, StreamTaskActionExecutor.IMMEDIATE),
                        this::take);
    }

    /** Everything taken so far, after running what waits in the mailbox. */
    List<String> taken() throws Exception {
        Optional<Mail> mail;
        while ((mail = mailbox.tryTake(TaskMailbox.MIN_PRIORITY)).isPresent()) {
            mail.get().run();
        }
        return taken;
    }

    private void take(List<FeedbackItem> items) throws Exception {
        for (FeedbackItem item : items) {
            item.accept(
                    new FeedbackItem.Handler() {
                        @Override
                        public void onRecord(FeedbackRecord<?> record) {
                            taken.add("record " + describe(record.get()));
                        }

                        @Override
                        public void onChunk(SerializedFeedback chunk) throws Exception {
                            String round = chunk.round() + ":";
                            List<String> values = new ArrayList<>();
                            chunk.emit(
                                    IntSerializer.INSTANCE,
                                    record -> {
                                        // Every record of a chunk enters the chunk's round.
                                        assertThat(describe(record)).startsWith(round);
                                        values.add(describe(record).substring(round.length()));
                                    });
                            assertThat(chunk.count()).isEqualTo(values.size());
                            taken.add("chunk " + round + values);
                        }

                        @Override
                        public void onMarker(RoundMarker marker) {
                            taken.add("marker " + marker.round);
                        }

                        @Override
                        public void onDecision(RoundDecision decision) {
                            taken.add(
                                    "decision "
                                            + decision.round
                                            + (decision.stop ? " stop" : " continue"));
                        }
                    });
        }
    }

    private static String describe(StreamRecord<? extends IterationRecord<?>> record) {
        String text = record.getValue().getRound() + ":" + record.getValue().getValue();
        return record.hasTimestamp() ? text + "@" + record.getTimestamp() : text;
    }
}
