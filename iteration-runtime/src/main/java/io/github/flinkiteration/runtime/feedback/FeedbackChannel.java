package io.github.flinkiteration.runtime.feedback;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.util.function.ThrowingConsumer;

/**
 * Hands feedback from a tail subtask to the co-located head subtask, in process, without
 * serialization. The tail's thread puts; the head's task thread takes everything put so far in one
 * mailbox action, so a busy loop costs one mail per batch, not per record.
 *
 * <p>Either side may arrive first: items put before the head registers wait in the channel, and
 * registering schedules them.
 */
public final class FeedbackChannel implements AutoCloseable {

    private final Object lock = new Object();
    private List<Object> pending = new ArrayList<>();
    private MailboxExecutor consumerMailbox;
    private ThrowingConsumer<List<Object>, Exception> consumer;
    private boolean drainScheduled;
    private boolean closed;

    /** Called by the tail. Items put after {@link #close()} are dropped. */
    void put(Object item) {
        boolean schedule;
        synchronized (lock) {
            if (closed) {
                return;
            }
            pending.add(item);
            schedule = consumerMailbox != null && !drainScheduled;
            drainScheduled |= schedule;
        }
        if (schedule) {
            scheduleDrain();
        }
    }

    /** Called by the head in its task thread; {@code consumer} runs in that thread too. */
    void registerConsumer(
            MailboxExecutor mailbox, ThrowingConsumer<List<Object>, Exception> consumer) {
        boolean schedule;
        synchronized (lock) {
            this.consumerMailbox = mailbox;
            this.consumer = consumer;
            schedule = !pending.isEmpty() && !drainScheduled;
            drainScheduled |= schedule;
        }
        if (schedule) {
            scheduleDrain();
        }
    }

    private void scheduleDrain() {
        try {
            consumerMailbox.execute(this::drain, "iteration feedback");
        } catch (RejectedExecutionException e) {
            // The head's task is shutting down; nothing will read the feedback any more.
        }
    }

    private void drain() throws Exception {
        List<Object> batch;
        synchronized (lock) {
            batch = pending;
            pending = new ArrayList<>();
            drainScheduled = false;
        }
        if (!batch.isEmpty()) {
            consumer.accept(batch);
        }
    }

    /** Drops what is pending and everything put from now on. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            pending = new ArrayList<>();
        }
    }
}
