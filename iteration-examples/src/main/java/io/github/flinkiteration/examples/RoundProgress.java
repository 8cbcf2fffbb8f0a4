package io.github.flinkiteration.examples;

import java.io.Serializable;
import java.util.Locale;

/**
 * Prints the progress line a terminal user follows, one per round, for example {@code round 7/20
 * 1.9 ms/round shift 0.004312}. Called by an operator of parallelism 1 that sees every round end;
 * prints to the stdout of the JVM that runs it, so it suits embedded runs only. A round's time is
 * the time since the previous round ended; the first round's also covers the job's start.
 */
final class RoundProgress implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int rounds;
    private final String measure;
    private transient long lastNanos;

    /** Progress over at most {@code rounds} rounds, printing {@code measure} with its value. */
    RoundProgress(int rounds, String measure) {
        this.rounds = rounds;
        this.measure = measure;
    }

    /** Starts the first round's clock. */
    void start() {
        lastNanos = System.nanoTime();
    }

    /** Prints the line of {@code round} (from 0), whose measure came out as {@code value}. */
    void roundEnded(int round, double value) {
        long now = System.nanoTime();
        double millis = (now - lastNanos) / 1e6;
        lastNanos = now;
        System.out.printf(
                Locale.ROOT,
                "round %d/%d  %.1f ms/round  %s %.6f%n",
                round + 1,
                rounds,
                millis,
                measure,
                value);
    }
}
