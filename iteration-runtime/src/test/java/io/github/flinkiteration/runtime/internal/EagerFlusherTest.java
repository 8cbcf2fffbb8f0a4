package io.github.flinkiteration.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When an eager flusher flushes: at once after a quiet spell, else by a timer a tick later; and,
 * for a stream that may be dense, not while full buffers keep leaving by themselves. Time and the
 * buffer count are driven by hand, so nothing here depends on how fast the machine is.
 */
class EagerFlusherTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final AtomicInteger flushes = new AtomicInteger();
    private final AtomicLong nanos = new AtomicLong(1_000 * MS);
    private final AtomicLong fullBuffers = new AtomicLong();
    private TestProcessingTimeService time;

    @BeforeEach
    void startClock() throws Exception {
        time = new TestProcessingTimeService();
        time.setCurrentTime(1_000);
    }

    private void tick() throws Exception {
        nanos.addAndGet(MS);
        time.advance(1);
    }

    @Test
    void aLoneRecordLeavesAtOnceAndOneRightAfterItByTheNextTick() throws Exception {
        EagerFlusher flusher = new EagerFlusher(flushes::incrementAndGet, time, null, nanos::get);

        flusher.afterEmit();
        assertThat(flushes).as("the first record after a quiet spell").hasValue(1);

        flusher.afterEmit();
        flusher.afterEmit();
        assertThat(flushes).as("records within the millisecond wait for the timer").hasValue(1);
        assertThat(time.getNumActiveTimers()).isEqualTo(1);

        tick();
        assertThat(flushes).hasValue(2);
        assertThat(time.getNumActiveTimers()).isZero();
    }

    @Test
    void withoutABufferCountTheTimerFlushesEvenWhileBuffersFill() throws Exception {
        EagerFlusher flusher = new EagerFlusher(flushes::incrementAndGet, time, null, nanos::get);
        flusher.afterEmit();
        flusher.afterEmit();
        fullBuffers.incrementAndGet();

        tick();
        assertThat(flushes).hasValue(2);
    }

    @Test
    void aDenseStreamIsNotFlushedUntilItsBuffersStopFilling() throws Exception {
        EagerFlusher flusher =
                new EagerFlusher(flushes::incrementAndGet, time, fullBuffers::get, nanos::get);
        flusher.afterEmit();
        assertThat(flushes).hasValue(1);

        // Five ticks in which records keep coming and a buffer fills and leaves in each.
        for (int i = 0; i < 5; i++) {
            flusher.afterEmit();
            fullBuffers.incrementAndGet();
            tick();
        }
        assertThat(flushes).as("the buffers left full on their own").hasValue(1);
        assertThat(time.getNumActiveTimers())
                .as("still looking, for when the stream slows down")
                .isEqualTo(1);

        // The stream slows down: in the next tick no buffer fills, so the open one is flushed.
        flusher.afterEmit();
        tick();
        assertThat(flushes).hasValue(2);
        assertThat(time.getNumActiveTimers()).isZero();
    }

    @Test
    void aSparseStreamOfADenseOrSparseFlusherIsFlushedByEveryTimer() throws Exception {
        EagerFlusher flusher =
                new EagerFlusher(flushes::incrementAndGet, time, fullBuffers::get, nanos::get);
        flusher.afterEmit();
        for (int i = 0; i < 3; i++) {
            flusher.afterEmit();
            tick();
        }
        assertThat(flushes).hasValue(4);
    }

    @Test
    void buffersSentBeforeTheTimerWasSetDoNotCountAsDense() throws Exception {
        EagerFlusher flusher =
                new EagerFlusher(flushes::incrementAndGet, time, fullBuffers::get, nanos::get);
        fullBuffers.addAndGet(7);
        flusher.afterEmit();
        flusher.afterEmit();
        tick();
        assertThat(flushes).hasValue(2);
    }
}
