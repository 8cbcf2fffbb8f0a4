package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.runtime.protocol.FeedbackItem;
import io.github.flinkiteration.runtime.protocol.FeedbackRecord;
import io.github.flinkiteration.runtime.protocol.SerializedFeedback;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
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
 * <p>The head may put a take off while its own input keeps delivering records (the take goes to the
 * back of its mailbox, behind the next record). A tail chained into the head's task does not put
 * each chunk it writes: it attaches itself as the channel's local writer, asks for a take, and puts
 * what it wrote right before the head takes, in the same thread.
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
 *
 * <p>A broadcast relay uses the same channel with the roles turned: the relay puts as a tail does,
 * and the operator it serves takes as a head does, but applies what is in flight at its snapshot
 * rather than keeping it ({@link #takeAtConsumerSnapshot}).
 *
 * <p><b>Bounded.</b> The tail never waits for the head (that could close a cycle, see
 * docs/architecture.md, "Why no loop deadlocks"), so what the head has not taken yet is bounded by
 * spilling instead ({@link HandoffSpill}): beyond the heap limit each chunk the tail puts goes to a
 * {@link HandoffSpillFile}, and the queue keeps a small run in its place. The head reads spilled
 * chunks back a few megabytes per mailbox action. A tail of an unbounded iteration, which hands
 * records over as objects, serializes them into chunks while the channel {@link #isCrowded()}.
 */
public final class FeedbackChannel implements AutoCloseable {

    /** Spilled bytes the head reads back per mailbox action (at least one chunk). */
    static final long READ_BACK_BYTES = 4 << 20;

    private final Object lock = new Object();

    /** What the head has not taken: {@link FeedbackItem}s, and spilled runs in their place. */
    private final ArrayDeque<Object> pending = new ArrayDeque<>();

    /** Items put that the head has not taken: spilled ones count one per chunk. */
    private long pendingItems;

    /** Serialized bytes and feedback records (objects) of the pending items held in memory. */
    private long heapBytes;

    private long heapRecords;

    /** Spilled runs in {@link #pending}. */
    private int pendingRuns;

    private final HandoffSpill limits;
    private final HandoffSpillFile spill;

    /** Whether the heap limit is reached; read without the lock by the tail. */
    private volatile boolean crowded;

    /**
     * How many items were handed to the head (or restored before it): the position of the first
     * pending item.
     */
    private long taken;

    /**
     * Cut marks of the tail's snapshots that came before the head's: checkpoint id to the number of
     * items put before the snapshot. Later checkpoints cut later, so the first mark is the lowest.
     */
    private final TreeMap<Long, Long> cuts = new TreeMap<>();

    private MailboxExecutor consumerMailbox;
    private ThrowingConsumer<List<FeedbackItem>, Exception> consumer;

    /**
     * Whether the head takes feedback now, or lets its own input go first; see registerConsumer.
     */
    private BooleanSupplier takesNow = () -> true;

    /**
     * A tail in the head's task that writes feedback into chunks of its own: asked to put them when
     * the head takes feedback. Called, like it is set, in the head's task thread only.
     */
    private Runnable localWriter;

    private Thread localWriterThread;

    /** Takes back the chunks of the local writer once the head emitted them; see #drain. */
    private Consumer<SerializedFeedback> localReuse;

    private boolean drainScheduled;
    private boolean closed;

    /**
     * Items put since the head's snapshot of each checkpoint, until the tail's snapshot of it (with
     * spilled runs in the place of spilled chunks).
     */
    private final TreeMap<Long, ArrayDeque<Object>> logs = new TreeMap<>();

    /** The latest checkpoint the head snapshotted; it will snapshot no earlier one. */
    private long headCheckpoint = Long.MIN_VALUE;

    /** A channel that keeps everything on the heap. */
    public FeedbackChannel() {
        this(HandoffSpill.UNBOUNDED);
    }

    FeedbackChannel(HandoffSpill limits) {
        this.limits = limits;
        this.spill =
                limits.directory() == null
                        ? null
                        : new HandoffSpillFile(limits.directory(), limits.prefix());
    }

    /**
     * Called by the tail, and by the round decider. Items put after {@link #close()} are dropped.
     */
    public void put(FeedbackItem item) {
        boolean schedule;
        synchronized (lock) {
            if (closed) {
                return;
            }
            Object entry = admit(item);
            append(pending, entry);
            pendingItems++;
            if (!logs.isEmpty()) { // no iterator per record while no checkpoint is in flight
                for (ArrayDeque<Object> log : logs.values()) {
                    append(log, entry);
                }
            }
            schedule = consumerMailbox != null && !drainScheduled && !blockedByCut();
            drainScheduled |= schedule;
        }
        if (schedule) {
            scheduleDrain();
        }
    }

    /**
     * Whether the channel holds as much on the heap as it may: a tail that hands records over as
     * objects should hand over serialized chunks, which spill, until it is not.
     */
    public boolean isCrowded() {
        return crowded;
    }

    /** Serialized bytes of the pending items held on the heap. */
    long heapBytes() {
        synchronized (lock) {
            return heapBytes;
        }
    }

    /** The item itself if it stays on the heap, else the run of the frame it was spilled to. */
    private Object admit(FeedbackItem item) {
        if (item instanceof SerializedFeedback chunk) {
            if (spill != null
                    && (crowded || heapBytes + chunk.serializedBytes() > limits.heapBytes())) {
                try {
                    return spill.append(chunk);
                } catch (IOException e) {
                    throw new UncheckedIOException(
                            "Could not spill feedback to " + limits.directory(), e);
                }
            }
            heapBytes += chunk.serializedBytes();
        } else if (item instanceof FeedbackRecord) {
            heapRecords++;
        }
        updateCrowded();
        return item;
    }

    /** Adds {@code entry} at the end of {@code queue}, a spilled frame to the run before it. */
    private void append(ArrayDeque<Object> queue, Object entry) {
        if (entry instanceof HandoffSpillFile.Run frame) {
            if (queue.peekLast() instanceof HandoffSpillFile.Run last && last.canTake(frame)) {
                last.take(frame);
                return;
            }
            queue.addLast(frame.copy());
            if (queue == pending) {
                pendingRuns++;
            }
            return;
        }
        queue.addLast(entry);
    }

    /** An item left the heap part of the queue. */
    private void released(FeedbackItem item) {
        if (item instanceof SerializedFeedback chunk) {
            heapBytes -= chunk.serializedBytes();
        } else if (item instanceof FeedbackRecord) {
            heapRecords--;
        }
    }

    private void updateCrowded() {
        boolean now = heapBytes >= limits.heapBytes() || heapRecords >= limits.heapRecords();
        if (now != crowded) {
            // Written only when it changes: every put of a free-flow loop passes here.
            crowded = now;
        }
    }

    /**
     * Called by the head in its task thread, before {@link #registerConsumer}: items restored from
     * the head's checkpoint go before anything the tail puts.
     */
    void restore(List<FeedbackItem> items) {
        synchronized (lock) {
            ArrayDeque<Object> restored = new ArrayDeque<>();
            for (FeedbackItem item : items) {
                append(restored, admit(item));
            }
            for (Object entry : restored) {
                if (entry instanceof HandoffSpillFile.Run) {
                    pendingRuns++;
                }
            }
            Iterator<Object> backwards = restored.descendingIterator();
            while (backwards.hasNext()) {
                pending.addFirst(backwards.next());
            }
            pendingItems += items.size();
            // The restored items sit before every position a cut may name.
            taken -= items.size();
        }
    }

    /** Called by the head in its task thread; {@code consumer} runs in that thread too. */
    public void registerConsumer(
            MailboxExecutor mailbox, ThrowingConsumer<List<FeedbackItem>, Exception> consumer) {
        registerConsumer(mailbox, consumer, () -> true);
    }

    /**
     * @param takesNow asked in the head's thread before each take; false puts the take off until
     *     after the task's next input record (the take goes to the back of the mailbox)
     */
    void registerConsumer(
            MailboxExecutor mailbox,
            ThrowingConsumer<List<FeedbackItem>, Exception> consumer,
            BooleanSupplier takesNow) {
        synchronized (lock) {
            this.consumerMailbox = mailbox;
            this.consumer = consumer;
            this.takesNow = takesNow;
        }
        scheduleDrainIfReady();
    }

    /**
     * Called by a tail chained into the head's task, in that task's thread: {@code writer} puts the
     * chunks the tail is writing, and runs before the head takes feedback; null detaches it.
     */
    void attachLocalWriter(Runnable writer) {
        attachLocalWriter(writer, null);
    }

    /**
     * @param reuse takes back each chunk the head took and emitted, when nothing else refers to it
     *     (no checkpoint's log held it), so that the writer writes the next one into its buffer
     */
    void attachLocalWriter(Runnable writer, Consumer<SerializedFeedback> reuse) {
        synchronized (lock) {
            this.localWriter = writer;
            this.localWriterThread = Thread.currentThread();
            this.localReuse = writer == null ? null : reuse;
        }
    }

    /** Whether a tail in the head's task writes the feedback: the loop runs in one task. */
    boolean hasLocalWriter() {
        synchronized (lock) {
            return localWriter != null;
        }
    }

    /** Called by a tail with an attached writer: the head should take feedback soon. */
    void requestTake() {
        boolean schedule;
        synchronized (lock) {
            schedule = consumerMailbox != null && !drainScheduled && !closed;
            drainScheduled |= schedule;
        }
        if (schedule) {
            scheduleDrain();
        }
    }

    /**
     * The head's snapshot of {@code checkpointId}: returns the items in flight that belong to the
     * head's state, and from now on logs what the tail puts until the tail's snapshot.
     */
    List<FeedbackItem> snapshotAtHead(long checkpointId) throws IOException {
        List<FeedbackItem> inFlight;
        synchronized (lock) {
            inFlight = materialize(pending, itemsBeforeCut(checkpointId));
            markHeadSnapshot(checkpointId);
        }
        scheduleDrainIfReady();
        return inFlight;
    }

    /**
     * A consumer's snapshot of {@code checkpointId} that applies what is in flight instead of
     * keeping it: takes the items on the consumer's side of the cut (all pending ones, or those
     * before the producer's cut mark), which the consumer must apply before its barrier, and from
     * now on logs what the producer puts until its snapshot, as {@link #snapshotAtHead} does.
     */
    public List<FeedbackItem> takeAtConsumerSnapshot(long checkpointId) throws IOException {
        List<FeedbackItem> inFlight;
        synchronized (lock) {
            inFlight = poll(itemsBeforeCut(checkpointId), Long.MAX_VALUE);
            markHeadSnapshot(checkpointId);
        }
        scheduleDrainIfReady();
        return inFlight;
    }

    /** How many pending items lie on the head's side of the cut of {@code checkpointId}. */
    private long itemsBeforeCut(long checkpointId) {
        Long cut = cuts.get(checkpointId);
        return cut == null ? pendingItems : cut - taken;
    }

    /**
     * The head has snapshotted {@code checkpointId}: the marks up to it are resolved, and without a
     * mark of the tail's a log opens for what the tail puts until its snapshot.
     */
    private void markHeadSnapshot(long checkpointId) {
        boolean tailFirst = cuts.containsKey(checkpointId);
        headCheckpoint = Math.max(headCheckpoint, checkpointId);
        // A mark of this or an abandoned checkpoint is resolved now.
        cuts.headMap(checkpointId, true).clear();
        if (!tailFirst && !closed) {
            logs.put(checkpointId, new ArrayDeque<>());
        }
    }

    /**
     * The tail's snapshot of {@code checkpointId}: returns what the tail put since the head's
     * snapshot, which belongs to the tail's state. If the head has not snapshotted yet, leaves a
     * cut mark and returns nothing.
     */
    public List<FeedbackItem> snapshotAtTail(long checkpointId) throws IOException {
        synchronized (lock) {
            ArrayDeque<Object> log = logs.remove(checkpointId);
            // Logs of older checkpoints belong to checkpoints that were abandoned.
            logs.headMap(checkpointId).clear();
            if (log != null) {
                List<FeedbackItem> items = materialize(log, Long.MAX_VALUE);
                resetSpillIfUnused();
                return items;
            }
            // A head past this checkpoint skipped it (it was abandoned there): no mark would ever
            // be resolved by its snapshot, and the abort notice that would is not guaranteed.
            if (!closed && checkpointId > headCheckpoint) {
                cuts.put(checkpointId, taken + pendingItems);
            }
            return new ArrayList<>();
        }
    }

    /**
     * The first {@code count} items of {@code queue}, spilled ones read back (as chunks that may
     * each stand for several items put), without taking them.
     */
    private List<FeedbackItem> materialize(ArrayDeque<Object> queue, long count)
            throws IOException {
        List<FeedbackItem> items = new ArrayList<>();
        for (Object entry : queue) {
            if (count <= 0) {
                break;
            }
            if (entry instanceof HandoffSpillFile.Run run) {
                items.addAll(spill.read(run, count, Long.MAX_VALUE, false));
                count -= Math.min(count, run.frames);
            } else {
                items.add((FeedbackItem) entry);
                count--;
            }
        }
        return items;
    }

    /** The head learned that {@code checkpointId} was abandoned: its cut mark no longer holds. */
    public void abort(long checkpointId) {
        synchronized (lock) {
            cuts.headMap(checkpointId, true).clear();
            logs.remove(checkpointId);
        }
        scheduleDrainIfReady();
    }

    /** How many pending items the head may take now: those before the first cut mark. */
    private long takeable() {
        return cuts.isEmpty() ? pendingItems : cuts.firstEntry().getValue() - taken;
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
                            && pendingItems > 0
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

    /**
     * Hands over what is pending up to the first cut mark, which waits for the head; of what
     * spilled, a few megabytes, and schedules itself again for the rest.
     */
    private void drain() throws Exception {
        if (!takesNow.getAsBoolean()) {
            // Still scheduled: behind the head's next input record.
            scheduleDrain();
            return;
        }
        Runnable writer;
        synchronized (lock) {
            writer = localWriter;
            if (writer != null && localWriterThread != Thread.currentThread()) {
                // TailChaining promised one chain; running the writer here would race its tail.
                throw new IllegalStateException(
                        "A tail that writes feedback chunks for its head's task runs in another"
                                + " thread ("
                                + localWriterThread.getName()
                                + "): its chain was split. Please report this with the job's"
                                + " graph.");
            }
        }
        if (writer != null) {
            writer.run();
        }
        List<FeedbackItem> batch;
        boolean more;
        synchronized (lock) {
            drainScheduled = false;
            batch = poll(takeable(), READ_BACK_BYTES);
            more = pendingItems > 0 && !blockedByCut() && !drainScheduled;
            drainScheduled |= more;
        }
        if (more) {
            // Behind the mail that came meanwhile (a barrier, a slice of a round).
            scheduleDrain();
        }
        if (!batch.isEmpty()) {
            consumer.accept(batch);
            giveBackChunks(batch);
        }
    }

    /**
     * Takes the first {@code count} pending items off the queue; of what spilled, about {@code
     * readBack} bytes (at least one chunk). Called under the lock.
     */
    private List<FeedbackItem> poll(long count, long readBack) throws IOException {
        // Sized up front: growing it was 4 % of W3's garbage.
        List<FeedbackItem> batch =
                new ArrayList<>((int) Math.min(Math.min(count, pendingItems), 1 << 16));
        while (count > 0 && !pending.isEmpty()) {
            Object first = pending.peekFirst();
            long items;
            if (first instanceof HandoffSpillFile.Run run) {
                if (readBack <= 0) {
                    break;
                }
                long framesBefore = run.frames;
                long bytesBefore = run.bytes;
                batch.addAll(spill.read(run, count, readBack, true));
                readBack -= bytesBefore - run.bytes;
                items = framesBefore - run.frames;
                if (run.frames == 0) {
                    pending.pollFirst();
                    pendingRuns--;
                }
            } else {
                FeedbackItem item = (FeedbackItem) pending.pollFirst();
                released(item);
                batch.add(item);
                items = 1;
            }
            count -= items;
            pendingItems -= items;
            taken += items;
        }
        updateCrowded();
        resetSpillIfUnused();
        return batch;
    }

    /**
     * Gives the local writer back the chunks of {@code batch}, which the head emitted in the call
     * that just returned and keeps no reference to (it passes free-flowing feedback on at once).
     * Not while a checkpoint's log is open: it may hold them until the tail's snapshot writes them.
     * Snapshots write what they keep at once ({@code ItemListState}), so nothing else refers to
     * them.
     */
    private void giveBackChunks(List<FeedbackItem> batch) {
        Consumer<SerializedFeedback> reuse;
        synchronized (lock) {
            reuse = logs.isEmpty() ? localReuse : null;
        }
        if (reuse == null) {
            return;
        }
        for (FeedbackItem item : batch) {
            if (item instanceof SerializedFeedback chunk) {
                reuse.accept(chunk);
            }
        }
    }

    /** Empties the spill file once neither the queue nor an open log refers to it. */
    private void resetSpillIfUnused() throws IOException {
        if (spill != null && pendingRuns == 0 && logs.isEmpty()) {
            spill.reset();
        }
    }

    /** Drops what is pending and everything put from now on, and deletes the spill file. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            taken += pendingItems;
            pending.clear();
            pendingItems = 0;
            pendingRuns = 0;
            heapBytes = 0;
            heapRecords = 0;
            updateCrowded();
            cuts.clear();
            logs.clear();
            if (spill != null) {
                try {
                    spill.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }
}
