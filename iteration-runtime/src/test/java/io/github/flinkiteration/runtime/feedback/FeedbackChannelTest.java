package io.github.flinkiteration.runtime.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.streaming.runtime.tasks.StreamTaskActionExecutor;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.MailboxExecutorImpl;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailboxImpl;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The channel's share of a checkpoint, in both orders in which head and tail can snapshot: every
 * item lands in exactly one of the head's state, the tail's state, or after the cut (to be put
 * again by the restored tail), and the head never takes an item put after the tail's snapshot
 * before its own snapshot. The head's mailbox is Flink's own, run by hand.
 */
class FeedbackChannelTest {

    private final TaskMailbox mailbox = new TaskMailboxImpl();
    private final List<Object> taken = new ArrayList<>();
    private FeedbackChannel channel;

    @BeforeEach
    void createChannel() {
        channel = new FeedbackChannel();
        channel.registerConsumer(
                new MailboxExecutorImpl(mailbox, 0, StreamTaskActionExecutor.IMMEDIATE),
                taken::addAll);
    }

    @Test
    void headFirstKeepsWhatIsPendingAndTheTailKeepsWhatCameAfter() throws Exception {
        channel.put("a");
        runMails();
        channel.put("b");

        List<Object> atHead = channel.snapshotAtHead(1);
        channel.put("c");
        List<Object> atTail = channel.snapshotAtTail(1);
        channel.put("d");
        runMails();

        assertThat(atHead).containsExactly("b");
        assertThat(atTail).containsExactly("c");
        assertThat(taken).containsExactly("a", "b", "c", "d");
    }

    @Test
    void tailFirstLeavesACutThatTheHeadDoesNotCrossBeforeItsSnapshot() throws Exception {
        channel.put("a");
        List<Object> atTail = channel.snapshotAtTail(1);
        channel.put("b");
        runMails();

        assertThat(atTail).isEmpty();
        assertThat(taken).as("only what came before the tail's snapshot").containsExactly("a");

        channel.put("c");
        List<Object> atHead = channel.snapshotAtHead(1);
        runMails();

        assertThat(atHead).as("everything before the cut was taken already").isEmpty();
        assertThat(taken).containsExactly("a", "b", "c");
    }

    @Test
    void tailFirstHeadKeepsWhatItHadNotTakenBeforeTheCut() throws Exception {
        channel.put("a");
        channel.put("b");
        channel.snapshotAtTail(1);
        channel.put("c");

        List<Object> atHead = channel.snapshotAtHead(1);
        runMails();

        assertThat(atHead).containsExactly("a", "b");
        assertThat(taken).containsExactly("a", "b", "c");
    }

    @Test
    void anAbortedCheckpointReleasesItsCutAndDropsItsLog() throws Exception {
        channel.put("a");
        channel.snapshotAtTail(1);
        channel.put("b");
        channel.abort(1);
        runMails();
        assertThat(taken).containsExactly("a", "b");

        channel.snapshotAtHead(2);
        channel.put("c");
        channel.abort(2);
        assertThat(channel.snapshotAtTail(2)).as("the log of checkpoint 2 is gone").isEmpty();
        runMails();
        assertThat(taken).containsExactly("a", "b", "c");
    }

    @Test
    void restoredItemsComeBeforeAnythingTheTailPuts() throws Exception {
        FeedbackChannel restored = new FeedbackChannel();
        restored.put("from the restored tail");
        restored.restore(List.of("from the head's checkpoint"));
        List<Object> received = new ArrayList<>();
        restored.registerConsumer(
                new MailboxExecutorImpl(mailbox, 0, StreamTaskActionExecutor.IMMEDIATE),
                received::addAll);
        runMails();

        assertThat(received)
                .containsExactly("from the head's checkpoint", "from the restored tail");
    }

    private void runMails() throws Exception {
        Optional<Mail> mail;
        while ((mail = mailbox.tryTake(0)).isPresent()) {
            mail.get().run();
        }
    }
}
