package io.github.flinkiteration.runtime.internal;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;

/**
 * Sends what an operator emitted now rather than at Flink's buffer timeout (100 ms by default),
 * without flushing on every record. After an emit, the outputs are flushed at once if the last
 * flush was at least a millisecond ago; otherwise a timer flushes them about a millisecond later.
 * So a lone model update leaves immediately, and a dense stream costs at most about a thousand
 * flushes a second, while its buffers mostly fill and leave on their own.
 *
 * <p>A dense stream needs no such flushes: its buffers fill and leave within the millisecond
 * anyway, and a flush only sends a sliver of a buffer and wakes the receiver once more. So a
 * flusher made {@linkplain #forDenseOrSparse for a stream that may be either} (a data input) lets
 * the timer skip the flush while full buffers keep leaving on their own, and checks again a
 * millisecond later: what is left in the open buffer when the stream slows down still leaves within
 * about two milliseconds.
 *
 * <p>Used where records, not just round watermarks, must not wait: inside unbounded iterations.
 * Call only from the task thread.
 */
public final class EagerFlusher {

    private static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Runnable flush;
    private final ProcessingTimeService timeService;

    /** How many buffers the task has sent full, or null to flush on every timer. */
    private final LongSupplier fullBuffersSent;

    private final LongSupplier nanoClock;
    private long lastFlushNanos;

    /** The count of full buffers sent when the pending timer was set. */
    private long fullBuffersBeforeTimer;

    private boolean timerPending;

    public EagerFlusher(OutputFlusher flusher, ProcessingTimeService timeService) {
        this(flusher::flush, timeService, null, System::nanoTime);
    }

    EagerFlusher(
            Runnable flush,
            ProcessingTimeService timeService,
            LongSupplier fullBuffersSent,
            LongSupplier nanoClock) {
        this.flush = flush;
        this.timeService = timeService;
        this.fullBuffersSent = fullBuffersSent;
        this.nanoClock = nanoClock;
        this.lastFlushNanos = nanoClock.getAsLong() - INTERVAL_NANOS;
    }

    /**
     * A flusher that skips the timer's flush while the task's buffers fill by themselves.
     *
     * @param buffersOut the task's count of buffers sent ({@code
     *     TaskIOMetricGroup#getNumBuffersOutCounter}): Flink counts a buffer when it is full or
     *     finished, not when a flush sends part of it. It counts all the task's outputs, so if the
     *     task also fills buffers elsewhere, this output's records may wait for the buffer timeout.
     */
    public static EagerFlusher forDenseOrSparse(
            OutputFlusher flusher, ProcessingTimeService timeService, Counter buffersOut) {
        return new EagerFlusher(
                flusher::flush, timeService, buffersOut::getCount, System::nanoTime);
    }

    /** Call after the operator emitted one or more records. */
    public void afterEmit() {
        if (timerPending) {
            // A flush is due within about a millisecond; a dense stream pays only this check.
            return;
        }
        long now = nanoClock.getAsLong();
        if (now - lastFlushNanos >= INTERVAL_NANOS) {
            flushNow(now);
        } else {
            flushSoon();
        }
    }

    private void flushSoon() {
        timerPending = true;
        if (fullBuffersSent != null) {
            fullBuffersBeforeTimer = fullBuffersSent.getAsLong();
        }
        // Processing time has millisecond resolution: one tick later is at most ~1 ms away.
        timeService.registerTimer(timeService.getCurrentProcessingTime() + 1, this::onTimer);
    }

    private void onTimer(long timestamp) {
        timerPending = false;
        if (fullBuffersSent != null && fullBuffersSent.getAsLong() != fullBuffersBeforeTimer) {
            // A buffer filled and left within the last tick: the open one will too. Look again a
            // tick later, so that the last records before the stream slows down do not wait.
            flushSoon();
            return;
        }
        flushNow(nanoClock.getAsLong());
    }

    private void flushNow(long now) {
        flush.run();
        lastFlushNanos = now;
    }
}
