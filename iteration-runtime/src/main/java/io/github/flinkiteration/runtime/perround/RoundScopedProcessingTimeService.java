package io.github.flinkiteration.runtime.perround;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;
import org.apache.flink.util.clock.Clock;

/**
 * The processing-time service of one per-round operator instance. Timers the instance scheduled
 * must not call it after its round ended (its timer queues are emptied then, and the next round's
 * instance shares them), so ending the round cancels them, and a callback already on its way is
 * dropped.
 */
final class RoundScopedProcessingTimeService implements ProcessingTimeService {

    private final ProcessingTimeService service;
    private final List<ScheduledFuture<?>> scheduled = new ArrayList<>();
    private boolean ended;

    RoundScopedProcessingTimeService(ProcessingTimeService service) {
        this.service = service;
    }

    @Override
    public Clock getClock() {
        return service.getClock();
    }

    @Override
    public long getCurrentProcessingTime() {
        return service.getCurrentProcessingTime();
    }

    @Override
    public ScheduledFuture<?> registerTimer(long timestamp, ProcessingTimeCallback target) {
        return track(service.registerTimer(timestamp, scoped(target)));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(
            ProcessingTimeCallback callback, long initialDelay, long period) {
        return track(service.scheduleAtFixedRate(scoped(callback), initialDelay, period));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(
            ProcessingTimeCallback callback, long initialDelay, long period) {
        return track(service.scheduleWithFixedDelay(scoped(callback), initialDelay, period));
    }

    @Override
    public CompletableFuture<Void> quiesce() {
        return service.quiesce();
    }

    /** The round ended: nothing the instance scheduled runs any more. */
    void end() {
        ended = true;
        for (ScheduledFuture<?> future : scheduled) {
            future.cancel(false);
        }
        scheduled.clear();
    }

    private ProcessingTimeCallback scoped(ProcessingTimeCallback callback) {
        return time -> {
            if (!ended) {
                callback.onProcessingTime(time);
            }
        };
    }

    private ScheduledFuture<?> track(ScheduledFuture<?> future) {
        scheduled.removeIf(ScheduledFuture::isDone);
        scheduled.add(future);
        return future;
    }
}
