package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.runtime.protocol.FeedbackItem;
import io.github.flinkiteration.runtime.protocol.FeedbackRecord;
import io.github.flinkiteration.runtime.protocol.RoundMarker;
import io.github.flinkiteration.runtime.record.IterationRecord;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.function.ThrowingRunnable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The hand-off from a tail to its head: one round of {@link #RECORDS} records and a round marker
 * put into a {@link FeedbackChannel}, then taken by the head's mailbox. Head and tail share a task
 * here, as they do when the tail is chained to its head; reports ns per record.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FeedbackChannelBenchmark {

    static final int RECORDS = 10_000;

    private final QueueMailbox mailbox = new QueueMailbox();
    private final FeedbackItem record =
            new FeedbackRecord<>(new StreamRecord<>(new IterationRecord<>(1, 1L)));
    private FeedbackChannel channel;
    private Blackhole blackhole;

    @Setup
    public void setUp(Blackhole blackhole) {
        this.blackhole = blackhole;
        channel = new FeedbackChannel();
        channel.registerConsumer(mailbox, this::consume);
    }

    private void consume(List<FeedbackItem> batch) {
        blackhole.consume(batch.size());
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void handOffOneRound() throws Exception {
        for (int i = 0; i < RECORDS; i++) {
            channel.put(record);
        }
        channel.put(new RoundMarker(0));
        mailbox.runAll();
    }

    /** A mailbox whose mails run when the benchmark says, in the benchmark's thread. */
    private static final class QueueMailbox implements MailboxExecutor {
        private final ArrayDeque<ThrowingRunnable<? extends Exception>> mails = new ArrayDeque<>();

        void runAll() throws Exception {
            ThrowingRunnable<? extends Exception> mail;
            while ((mail = mails.poll()) != null) {
                mail.run();
            }
        }

        @Override
        public void execute(
                MailOptions options,
                ThrowingRunnable<? extends Exception> command,
                String descriptionFormat,
                Object... descriptionArgs) {
            mails.add(command);
        }

        @Override
        public void yield() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean tryYield() {
            return false;
        }

        @Override
        public boolean shouldInterrupt() {
            return false;
        }
    }
}
