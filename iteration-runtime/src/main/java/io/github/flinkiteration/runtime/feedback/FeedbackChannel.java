package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.runtime.protocol.FeedbackItem;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
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
 *
 * <p><b>Checkpoints.</b> The channel is the one edge of the loop that Flink's barriers do not
 * cross, so it records its own part of each checkpoint: the items the tail put before its snapshot
 * that the head had not taken before its snapshot. Usually the barrier reaches the head first (the
 * tail is downstream of it): the head's snapshot keeps what is pending and opens a log, every later
 * put also goes to the log, and the tail's snapshot takes the log. When the tail snapshots first
 * (its feedback does not come from its own head), it leaves a cut mark in the queue instead; the
 * head takes nothing past the mark until its own snapshot, which then keeps what lies before the
 * mark. A mark is a position in the sequence of items ever put, so the queue itself holds only
 * {@link FeedbackItem}s.
 *
 * <p>An abandoned checkpoint's mark is dropped by its abort notice, which Flink does not guarantee;
 * without it, the head's next snapshot drops every mark up to its own checkpoint, so a stale mark
 * holds the head for at most one checkpoint interval. A tail snapshot of a checkpoint the head has
 * already passed (skipped there) leaves no mark at all.
 */
public final class FeedbackChannel implements AutoCloseable {

    private final Object lock = new Object();
    private List<FeedbackItem> pending = new ArrayList<>();

    /**
     * How many items were handed to the head (or restored before it): the position of pending[0].
     */
    private long taken;

    /**
     * Cut marks of the tail's snapshots that came before the head's: checkpoint id to the number of
     * items put before the snapshot. Later checkpoints cut later, so the first mark is the lowest.
     */
    private final TreeMap<Long, Long> cuts = new TreeMap<>();

    private MailboxExecutor consumerMailbox;
    private ThrowingConsumer<List<FeedbackItem>, Exception> consumer;
    private boolean drainScheduled;
    private boolean closed;

    /** Items put since the head's snapshot of each checkpoint, until the tail's snapshot of it. */
    private final TreeMap<Long, List<FeedbackItem>> logs = new TreeMap<>();

    /** The latest checkpoint the head snapshotted; it will snapshot no earlier one. */
    private long headCheckpoint = Long.MIN_VALUE;

    /**
     * Called by the tail, and by the round decider. Items put after {@link #close()} are dropped.
     */
    public void put(FeedbackItem item) {
        boolean schedule;
        synchronized (lock) {
            if (closed) {
                return;
            }
            pending.add(item);
            for (List<FeedbackItem> log : logs.values()) {
                log.add(item);
            }
            schedule = consumerMailbox != null && !drainScheduled && !blockedByCut();
            drainScheduled |= schedule;
        }
        if (schedule) {
            scheduleDrain();
        }
    }

    /**
     * Called by the head in its task thread, before {@link #registerConsumer}: items restored from
     * the head's checkpoint go before anything the tail puts.
     */
    void restore(List<FeedbackItem> items) {
        synchronized (lock) {
            List<FeedbackItem> restored = new ArrayList<>(items);
            restored.addAll(pending);
            pending = restored;
            // The restored items sit before every position a cut may name.
            taken -= items.size();
        }
    }

    /** Called by the head in its task thread; {@code consumer} runs in that thread too. */
    void registerConsumer(
            MailboxExecutor mailbox, ThrowingConsumer<List<FeedbackItem>, Exception> consumer) {
        synchronized (lock) {
            this.consumerMailbox = mailbox;
            this.consumer = consumer;
        }
        scheduleDrainIfReady();
    }

    /**
     * The head's snapshot of {@code checkpointId}: returns the items in flight that belong to the
     * head's state, and from now on logs what the tail puts until the tail's snapshot.
     */
    List<FeedbackItem> snapshotAtHead(long checkpointId) {
        List<FeedbackItem> inFlight;
        synchronized (lock) {
            Long cut = cuts.get(checkpointId);
            int before = cut == null ? pending.size() : (int) (cut - taken);
            inFlight = new ArrayList<>(pending.subList(0, before));
            headCheckpoint = Math.max(headCheckpoint, checkpointId);
            // A mark of this or an abandoned checkpoint is resolved now.
            cuts.headMap(checkpointId, true).clear();
            if (cut == null && !closed) {
                logs.put(checkpointId, new ArrayList<>());
            }
        }
        scheduleDrainIfReady();
        return inFlight;
    }

    /**
     * The tail's snapshot of {@code checkpointId}: returns what the tail put since the head's
     * snapshot, which belongs to the tail's state. If the head has not snapshotted yet, leaves a
     * cut mark and returns nothing.
     */
    List<FeedbackItem> snapshotAtTail(long checkpointId) {
        synchronized (lock) {
            List<FeedbackItem> log = logs.remove(checkpointId);
            // Logs of older checkpoints belong to checkpoints that were abandoned.
            logs.headMap(checkpointId).clear();
            if (log != null) {
                return log;
            }
            // A head past this checkpoint skipped it (it was abandoned there): no mark would ever
            // be resolved by its snapshot, and the abort notice that would is not guaranteed.
            if (!closed && checkpointId > headCheckpoint) {
                cuts.put(checkpointId, taken + pending.size());
            }
            return new ArrayList<>();
        }
    }

    /** The head learned that {@code checkpointId} was abandoned: its cut mark no longer holds. */
    void abort(long checkpointId) {
        synchronized (lock) {
            cuts.headMap(checkpointId, true).clear();
            logs.remove(checkpointId);
        }
        scheduleDrainIfReady();
    }

    /** How many pending items the head may take now: those before the first cut mark. */
    private int takeable() {
        return cuts.isEmpty() ? pending.size() : (int) (cuts.firstEntry().getValue() - taken);
    }

    private boolean blockedByCut() {
        return takeable() == 0;
    }

    private void scheduleDrainIfReady() {
        boolean schedule;
        synchronized (lock) {
            schedule =
                    consumerMailbox != null
                            && !drainScheduled
                            && !pending.isEmpty()
                            && !blockedByCut();
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

    /** Hands over everything pending up to the first cut mark, which waits for the head. */
    private void drain() throws Exception {
        List<FeedbackItem> batch;
        synchronized (lock) {
            drainScheduled = false;
            int count = takeable();
            if (count == pending.size()) {
                batch = pending;
                pending = new ArrayList<>();
            } else {
                batch = new ArrayList<>(pending.subList(0, count));
                pending = new ArrayList<>(pending.subList(count, pending.size()));
            }
            taken += count;
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
            taken += pending.size();
            pending = new ArrayList<>();
            cuts.clear();
            logs.clear();
        }
    }
}
