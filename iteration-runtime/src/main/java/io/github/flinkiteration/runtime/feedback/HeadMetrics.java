package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.runtime.protocol.TerminationReason;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The metrics of one head subtask, in the iteration's metric group (see {@code
 * docs/watching-an-iteration.md}). Nothing here runs per record: the gauges read fields the head
 * and its pacing keep anyway, and the counter and histogram change once per round.
 */
final class HeadMetrics {

    /** Rounds the duration histogram keeps for its statistics. */
    private static final int DURATION_WINDOW = 1000;

    private final Counter completedRounds;
    private final Histogram roundDurations;
    private volatile long lastRoundDurationMs;
    private volatile TerminationReason terminationReason = TerminationReason.RUNNING;

    HeadMetrics(MetricGroup group, HeadOperator<?> head, FeedbackPacing pacing, boolean lockStep) {
        group.gauge("currentRound", (Gauge<Long>) head::emittedRound);
        completedRounds = group.counter("completedRounds");
        group.gauge("lastRoundDurationMs", (Gauge<Long>) () -> lastRoundDurationMs);
        roundDurations =
                group.histogram(
                        "roundDurationMs", new DescriptiveStatisticsHistogram(DURATION_WINDOW));
        group.gauge("feedbackRecordsLastRound", (Gauge<Long>) head::reportedFeedback);
        if (lockStep) {
            group.gauge("heldFeedbackRecords", (Gauge<Long>) pacing::heldRecords);
            group.gauge("heldFeedbackBytes", (Gauge<Long>) pacing::heldBytes);
        } else {
            group.gauge(
                    "feedbackLagRounds",
                    (Gauge<Long>)
                            () ->
                                    feedbackLagRounds(
                                            head.reportedRound(), pacing.newestFeedbackRound()));
        }
        group.gauge("terminationReason", (Gauge<String>) () -> terminationReason.label());
    }

    /**
     * How many rounds the newest feedback is ahead of the round after the last one complete here:
     * how far records run ahead of the round ends in an unbounded iteration, where each round end
     * waits for the coordinator. 0 or 1 while round ends keep up; growing while an input is open,
     * since round 0 cannot end then.
     */
    static long feedbackLagRounds(long reportedRound, long newestFeedbackRound) {
        return Math.max(0, newestFeedbackRound - 1 - reportedRound);
    }

    /** Restored: {@code reportedRound + 1} rounds were complete here before the checkpoint. */
    void restored(long reportedRound, boolean terminated) {
        completedRounds.inc(reportedRound + 1L);
        if (terminated) {
            terminationReason = TerminationReason.UNKNOWN;
        }
    }

    void roundComplete(long durationNanos) {
        long millis = durationNanos / 1_000_000;
        lastRoundDurationMs = millis;
        roundDurations.update(millis);
        completedRounds.inc();
    }

    void terminated(TerminationReason reason) {
        terminationReason = reason;
    }
}
