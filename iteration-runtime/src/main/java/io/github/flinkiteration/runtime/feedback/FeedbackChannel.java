package io.github.flinkiteration.runtime.feedback;

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
 * mark.
 */
public final class FeedbackChannel implements AutoCloseable {

    private final Object lock = new Object();
    private List<Object> pending = new ArrayList<>();
    private MailboxExecutor consumerMailbox;
    private ThrowingConsumer<List<Object>, Exception> consumer;
    private boolean drainScheduled;
    private boolean closed;

    /** Items put since the head's snapshot of each checkpoint, until the tail's snapshot of it. */
    private final TreeMap<Long, List<Object>> logs = new TreeMap<>();

    /**
     * Called by the tail, and by the round decider. Items put after {@link #close()} are dropped.
     */
    public void put(Object item) {
        boolean schedule;
        synchronized (lock) {
            if (closed) {
                return;
            }
            pending.add(item);
            for (List<Object> log : logs.values()) {
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
    void restore(List<Object> items) {
        synchronized (lock) {
            List<Object> restored = new ArrayList<>(items);
            restored.addAll(pending);
            pending = restored;
        }
    }

    /** Called by the head in its task thread; {@code consumer} runs in that thread too. */
    void registerConsumer(
            MailboxExecutor mailbox, ThrowingConsumer<List<Object>, Exception> consumer) {
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
    List<Object> snapshotAtHead(long checkpointId) {
        List<Object> inFlight = new ArrayList<>();
        synchronized (lock) {
            int cut = indexOfCut(checkpointId);
            List<Object> kept = new ArrayList<>(pending.size());
            for (int i = 0; i < pending.size(); i++) {
                Object item = pending.get(i);
                if (item instanceof CutMark) {
                    if (((CutMark) item).checkpointId > checkpointId) {
                        kept.add(item);
                    }
                    continue; // a mark of this or an abandoned checkpoint is resolved now
                }
                if (cut < 0 || i < cut) {
                    inFlight.add(item);
                }
                kept.add(item);
            }
            pending = kept;
            if (cut < 0 && !closed) {
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
    List<Object> snapshotAtTail(long checkpointId) {
        synchronized (lock) {
            List<Object> log = logs.remove(checkpointId);
            // Logs of older checkpoints belong to checkpoints that were abandoned.
            logs.headMap(checkpointId).clear();
            if (log != null) {
                return log;
            }
            if (!closed) {
                pending.add(new CutMark(checkpointId));
            }
            return new ArrayList<>();
        }
    }

    /** The head learned that {@code checkpointId} was abandoned: its cut mark no longer holds. */
    void abort(long checkpointId) {
        synchronized (lock) {
            pending.removeIf(
                    item ->
                            item instanceof CutMark
                                    && ((CutMark) item).checkpointId <= checkpointId);
            logs.remove(checkpointId);
        }
        scheduleDrainIfReady();
    }

    private int indexOfCut(long checkpointId) {
        for (int i = 0; i < pending.size(); i++) {
            Object item = pending.get(i);
            if (item instanceof CutMark && ((CutMark) item).checkpointId == checkpointId) {
                return i;
            }
        }
        return -1;
    }

    private boolean blockedByCut() {
        return !pending.isEmpty() && pending.get(0) instanceof CutMark;
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
        List<Object> batch;
        synchronized (lock) {
            drainScheduled = false;
            int cut = -1;
            for (int i = 0; i < pending.size(); i++) {
                if (pending.get(i) instanceof CutMark) {
                    cut = i;
                    break;
                }
            }
            if (cut < 0) {
                batch = pending;
                pending = new ArrayList<>();
            } else {
                batch = new ArrayList<>(pending.subList(0, cut));
                pending = new ArrayList<>(pending.subList(cut, pending.size()));
            }
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
            logs.clear();
        }
    }

    /**
     * Where the tail's snapshot of a checkpoint lies in the queue, if it came before the head's.
     */
    private static final class CutMark {
        final long checkpointId;

        CutMark(long checkpointId) {
            this.checkpointId = checkpointId;
        }
    }
}
