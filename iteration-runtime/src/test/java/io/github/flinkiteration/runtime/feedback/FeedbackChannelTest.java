package io.github.flinkiteration.runtime.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.runtime.protocol.FeedbackItem;
import io.github.flinkiteration.runtime.protocol.RoundMarker;
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
 * before its own snapshot. The same for a consumer that applies what is in flight at its snapshot
 * instead of keeping it (a broadcast relay's). The head's mailbox is Flink's own, run by hand.
 */
class FeedbackChannelTest {

    // Distinct items; the channel hands them over by identity, whatever their kind.
    private static final FeedbackItem A = new RoundMarker(0);
    private static final FeedbackItem B = new RoundMarker(1);
    private static final FeedbackItem C = new RoundMarker(2);
    private static final FeedbackItem D = new RoundMarker(3);
    private static final FeedbackItem FROM_THE_HEAD_S_CHECKPOINT = new RoundMarker(5);
    private static final FeedbackItem FROM_THE_RESTORED_TAIL = new RoundMarker(6);

    private final TaskMailbox mailbox = new TaskMailboxImpl();
    private final List<FeedbackItem> taken = new ArrayList<>();
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
        channel.put(A);
        runMails();
        channel.put(B);

        List<FeedbackItem> atHead = channel.snapshotAtHead(1);
        channel.put(C);
        List<FeedbackItem> atTail = channel.snapshotAtTail(1);
        channel.put(D);
        runMails();

        assertThat(atHead).containsExactly(B);
        assertThat(atTail).containsExactly(C);
        assertThat(taken).containsExactly(A, B, C, D);
    }

    @Test
    void tailFirstLeavesACutThatTheHeadDoesNotCrossBeforeItsSnapshot() throws Exception {
        channel.put(A);
        List<FeedbackItem> atTail = channel.snapshotAtTail(1);
        channel.put(B);
        runMails();

        assertThat(atTail).isEmpty();
        assertThat(taken).as("only what came before the tail's snapshot").containsExactly(A);

        channel.put(C);
        List<FeedbackItem> atHead = channel.snapshotAtHead(1);
        runMails();

        assertThat(atHead).as("everything before the cut was taken already").isEmpty();
        assertThat(taken).containsExactly(A, B, C);
    }

    @Test
    void tailFirstHeadKeepsWhatItHadNotTakenBeforeTheCut() throws Exception {
        channel.put(A);
        channel.put(B);
        channel.snapshotAtTail(1);
        channel.put(C);

        List<FeedbackItem> atHead = channel.snapshotAtHead(1);
        runMails();

        assertThat(atHead).containsExactly(A, B);
        assertThat(taken).containsExactly(A, B, C);
    }

    @Test
    void anAbortedCheckpointReleasesItsCutAndDropsItsLog() throws Exception {
        channel.put(A);
        channel.snapshotAtTail(1);
        channel.put(B);
        channel.abort(1);
        runMails();
        assertThat(taken).containsExactly(A, B);

        channel.snapshotAtHead(2);
        channel.put(C);
        channel.abort(2);
        assertThat(channel.snapshotAtTail(2)).as("the log of checkpoint 2 is gone").isEmpty();
        runMails();
        assertThat(taken).containsExactly(A, B, C);
    }

    @Test
    void withoutAnAbortNoticeTheHeadsNextSnapshotResolvesAStaleCut() throws Exception {
        channel.put(A);
        channel.snapshotAtTail(1); // checkpoint 1 is abandoned; the head never hears of it
        channel.put(B);
        runMails();
        assertThat(taken).as("held at the cut of checkpoint 1").containsExactly(A);

        List<FeedbackItem> atHead = channel.snapshotAtHead(2);
        runMails();

        assertThat(atHead).containsExactly(B);
        assertThat(taken).containsExactly(A, B);
    }

    @Test
    void aTailSnapshotOfACheckpointTheHeadSkippedLeavesNoCut() throws Exception {
        // The head aborted checkpoint 1 and went on to 2; the tail still snapshots 1, late.
        channel.snapshotAtHead(2);
        channel.put(A);
        assertThat(channel.snapshotAtTail(1)).isEmpty();
        channel.put(B);
        runMails();

        assertThat(taken)
                .as("nothing waits for a snapshot that will not come")
                .containsExactly(A, B);
        assertThat(channel.snapshotAtTail(2)).containsExactly(A, B);
    }

    @Test
    void consumerFirstTakesWhatIsPendingOffTheChannelAndTheProducerKeepsWhatCameAfter()
            throws Exception {
        channel.put(A);
        runMails();
        channel.put(B);

        List<FeedbackItem> applied = channel.takeAtConsumerSnapshot(1);
        channel.put(C);
        List<FeedbackItem> atProducer = channel.snapshotAtTail(1);
        channel.put(D);
        runMails();

        assertThat(applied).containsExactly(B);
        assertThat(atProducer).containsExactly(C);
        assertThat(taken)
                .as("B was handed over by the snapshot, not again")
                .containsExactly(A, C, D);
    }

    @Test
    void producerFirstConsumerTakesUpToTheCutAndNothingPastIt() throws Exception {
        channel.put(A);
        channel.put(B);
        channel.snapshotAtTail(1);
        channel.put(C);

        List<FeedbackItem> applied = channel.takeAtConsumerSnapshot(1);
        runMails();

        assertThat(applied).containsExactly(A, B);
        assertThat(taken).as("A and B were handed over by the snapshot").containsExactly(C);
    }

    @Test
    void restoredItemsComeBeforeAnythingTheTailPuts() throws Exception {
        FeedbackChannel restored = new FeedbackChannel();
        restored.put(FROM_THE_RESTORED_TAIL);
        restored.restore(List.of(FROM_THE_HEAD_S_CHECKPOINT));
        List<FeedbackItem> received = new ArrayList<>();
        restored.registerConsumer(
                new MailboxExecutorImpl(mailbox, 0, StreamTaskActionExecutor.IMMEDIATE),
                received::addAll);
        runMails();

        assertThat(received).containsExactly(FROM_THE_HEAD_S_CHECKPOINT, FROM_THE_RESTORED_TAIL);
    }

    private void runMails() throws Exception {
        Optional<Mail> mail;
        while ((mail = mailbox.tryTake(0)).isPresent()) {
            mail.get().run();
        }
    }
}
