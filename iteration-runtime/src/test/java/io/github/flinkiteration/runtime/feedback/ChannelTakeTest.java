package io.github.flinkiteration.runtime.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkiteration.runtime.protocol.FeedbackItem;
import io.github.flinkiteration.runtime.protocol.RoundMarker;
import io.github.flinkiteration.runtime.protocol.SerializedFeedback;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.streaming.runtime.tasks.StreamTaskActionExecutor;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.MailboxExecutorImpl;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailboxImpl;
import org.junit.jupiter.api.Test;

/**
 * When the head takes feedback: a take it puts off waits behind the next mail, and a tail chained
 * into the head's task (a local writer) puts its chunks right before each take. The head's mailbox
 * is Flink's own, run one mail at a time.
 */
class ChannelTakeTest {

    private static final FeedbackItem A = new RoundMarker(0);
    private static final FeedbackItem B = new RoundMarker(1);

    private final TaskMailbox mailbox = new TaskMailboxImpl();
    private final List<FeedbackItem> taken = new ArrayList<>();
    private final FeedbackChannel channel = new FeedbackChannel();

    @Test
    void aTakeTheHeadPutsOffWaitsBehindTheNextMailAndThenTakesEverything() throws Exception {
        ArrayDeque<Boolean> answers = new ArrayDeque<>(List.of(false, false, true));
        channel.registerConsumer(executor(), taken::addAll, answers::poll);
        channel.put(A);

        assertThat(runOneMail()).isTrue();
        assertThat(taken).as("put off once").isEmpty();
        channel.put(B);
        assertThat(runOneMail()).isTrue();
        assertThat(taken).as("put off again; the put scheduled no second take").isEmpty();
        assertThat(runOneMail()).isTrue();

        assertThat(taken).containsExactly(A, B);
        assertThat(runOneMail()).as("nothing left to take").isFalse();
    }

    @Test
    void aLocalWriterPutsWhatItWroteRightBeforeEachTake() throws Exception {
        channel.registerConsumer(executor(), taken::addAll);
        List<FeedbackItem> written = new ArrayList<>();
        channel.attachLocalWriter(
                () -> {
                    written.forEach(channel::put);
                    written.clear();
                });
        channel.put(A);
        written.add(B);
        channel.requestTake();

        assertThat(runOneMail()).isTrue();
        assertThat(taken).as("what was put, then what the writer held").containsExactly(A, B);
        assertThat(runOneMail()).as("the put scheduled one take, the request none more").isFalse();

        written.add(A);
        channel.requestTake();
        channel.requestTake();
        assertThat(runOneMail()).isTrue();
        assertThat(runOneMail()).as("requests coalesce into one take").isFalse();
        assertThat(taken).containsExactly(A, B, A);
    }

    @Test
    void theLocalWriterGetsItsChunksBackOnceTakenUnlessALogHoldsThem() throws Exception {
        channel.registerConsumer(executor(), taken::addAll);
        List<FeedbackItem> givenBack = new ArrayList<>();
        channel.attachLocalWriter(() -> {}, givenBack::add);
        SerializedFeedback first = LoopSubtask.chunk(1, 10, 11);
        channel.put(first);
        channel.put(A);
        runOneMail();

        assertThat(givenBack).as("chunks only, after the head took them").containsExactly(first);

        channel.snapshotAtHead(1);
        SerializedFeedback second = LoopSubtask.chunk(2, 20);
        channel.put(second);
        runOneMail();
        assertThat(taken).endsWith(second);
        assertThat(givenBack)
                .as("put after the head's snapshot: the tail's snapshot still writes it")
                .containsExactly(first);

        assertThat(channel.snapshotAtTail(1)).containsExactly(second);
        SerializedFeedback third = LoopSubtask.chunk(3, 30);
        channel.put(third);
        runOneMail();
        assertThat(givenBack).containsExactly(first, third);
    }

    @Test
    void aLocalWriterAttachedInAnotherThreadFailsTheTake() throws Exception {
        channel.registerConsumer(executor(), taken::addAll);
        Thread other = new Thread(() -> channel.attachLocalWriter(() -> {}), "some other task");
        other.start();
        other.join();
        channel.requestTake();

        assertThatThrownBy(this::runOneMail)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("some other task")
                .hasMessageContaining("chain was split");
    }

    private MailboxExecutorImpl executor() {
        return new MailboxExecutorImpl(mailbox, 0, StreamTaskActionExecutor.IMMEDIATE);
    }

    private boolean runOneMail() throws Exception {
        Optional<Mail> mail = mailbox.tryTake(0);
        if (mail.isPresent()) {
            mail.get().run();
        }
        return mail.isPresent();
    }
}
