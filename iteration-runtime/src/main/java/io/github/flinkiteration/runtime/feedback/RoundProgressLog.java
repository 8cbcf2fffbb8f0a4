package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.runtime.protocol.TerminationReason;
import java.util.Arrays;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the log says about an iteration's rounds. One head subtask per iteration keeps it (subtask 0
 * of the first variable's head): every head sees every round, whoever decides them, and one is
 * enough. It writes, per round at most and never per record: a DEBUG line per round, an INFO
 * progress line at most once per interval, a WARN for a round far slower than those before it and
 * for feedback that keeps growing, and an INFO line when the iteration ends.
 */
final class RoundProgressLog {

    private static final Logger LOG = LoggerFactory.getLogger(RoundProgressLog.class);

    /** A round this many times slower than the median of the rounds before it is worth a WARN. */
    static final int SLOW_FACTOR = 10;

    /** Rounds shorter than this are not worth a warning, however they compare. */
    static final long SLOW_ROUND_FLOOR_NANOS = 100_000_000;

    /** Rounds needed before a median means something. */
    static final int ROUNDS_BEFORE_MEDIAN = 5;

    /** The median is taken over at most this many previous rounds. */
    private static final int MEDIAN_WINDOW = 64;

    /** Held feedback that grows this many rounds in a row is worth a WARN. */
    static final int GROWING_ROUNDS = 10;

    /**
     * Feedback this many rounds ahead of the round ends is worth a WARN. Unbounded loops run a few
     * rounds ahead as a matter of course: each round end waits for the coordinator.
     */
    static final int LAGGING_ROUNDS = 100;

    private final String name;
    private final long intervalNanos;
    private final long startNanos;
    private long lastProgressNanos;
    private long lastProgressRound = -1;

    private final long[] recentDurations = new long[MEDIAN_WINDOW];
    private int durationsSeen;

    private long previousHeld = -1;
    private int growingRounds;
    private long lagWarnedAt;

    RoundProgressLog(String name, long intervalNanos, long nowNanos) {
        this.name = name;
        this.intervalNanos = intervalNanos;
        this.startNanos = nowNanos;
        this.lastProgressNanos = nowNanos;
    }

    /** Round {@code round} is complete at this head; {@code held} records wait for later rounds. */
    void roundComplete(
            long round,
            long durationNanos,
            long feedbackRecords,
            long heldRecords,
            long heldBytes,
            long nowNanos) {
        if (LOG.isDebugEnabled()) {
            LOG.debug(
                    "Iteration '{}': round {} complete in {} ms, {} records fed back",
                    name,
                    round,
                    millis(durationNanos),
                    feedbackRecords);
        }
        warnIfSlow(round, durationNanos);
        warnIfHeldGrows(round, heldRecords, heldBytes);
        if (nowNanos - lastProgressNanos >= intervalNanos) {
            double seconds = (nowNanos - lastProgressNanos) / 1e9;
            LOG.info(
                    "Iteration '{}': round {} complete, {} rounds/s over the last {} s, {} s in"
                            + " total",
                    name,
                    round,
                    format(seconds > 0 ? (round - lastProgressRound) / seconds : 0),
                    format(seconds),
                    format((nowNanos - startNanos) / 1e9));
            lastProgressNanos = nowNanos;
            lastProgressRound = round;
        }
    }

    private void warnIfSlow(long round, long durationNanos) {
        int previous = Math.min(durationsSeen, MEDIAN_WINDOW);
        if (previous >= ROUNDS_BEFORE_MEDIAN) {
            long[] sorted = Arrays.copyOf(recentDurations, previous);
            Arrays.sort(sorted);
            long median = sorted[previous / 2];
            if (durationNanos >= SLOW_ROUND_FLOOR_NANOS && durationNanos > SLOW_FACTOR * median) {
                LOG.warn(
                        "Iteration '{}': round {} took {} ms, more than {} times the median of the"
                                + " {} rounds before it ({} ms)",
                        name,
                        round,
                        millis(durationNanos),
                        SLOW_FACTOR,
                        previous,
                        millis(median));
            }
        }
        recentDurations[durationsSeen % MEDIAN_WINDOW] = durationNanos;
        durationsSeen++;
    }

    private void warnIfHeldGrows(long round, long heldRecords, long heldBytes) {
        growingRounds = heldRecords > previousHeld && previousHeld >= 0 ? growingRounds + 1 : 0;
        previousHeld = heldRecords;
        if (growingRounds == GROWING_ROUNDS) {
            LOG.warn(
                    "Iteration '{}': the feedback held for the next round has grown {} rounds in a"
                            + " row, to {} records ({} bytes serialized) after round {}",
                    name,
                    GROWING_ROUNDS,
                    heldRecords,
                    heldBytes,
                    round);
        }
    }

    /**
     * The newest feedback is {@code lagRounds} rounds ahead of the rounds ended here (see {@link
     * HeadMetrics#feedbackLagRounds}). Warns at {@link #LAGGING_ROUNDS}, then each time it doubles.
     */
    void feedbackLag(long lagRounds) {
        if (lagRounds >= LAGGING_ROUNDS && lagRounds >= 2 * lagWarnedAt) {
            lagWarnedAt = lagRounds;
            LOG.warn(
                    "Iteration '{}': feedback has reached a round {} rounds ahead of the last round"
                            + " that ended here; round ends fall behind the records (is an input"
                            + " still open?)",
                    name,
                    lagRounds);
        }
    }

    /** The iteration stopped after {@code lastRound}. */
    void ended(long lastRound, TerminationReason reason, long nowNanos) {
        LOG.info(
                "Iteration '{}' ended after round {} ({} rounds) in {} s: {}",
                name,
                lastRound,
                lastRound + 1,
                format((nowNanos - startNanos) / 1e9),
                reason);
    }

    private static String millis(long nanos) {
        return format(nanos / 1e6);
    }

    private static String format(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }
}
