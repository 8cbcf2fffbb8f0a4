package io.github.flinkiteration.runtime.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.runtime.LogCapture;
import io.github.flinkiteration.runtime.protocol.TerminationReason;
import org.junit.jupiter.api.Test;

/** The progress log's rules, fed with chosen round durations instead of measured ones. */
class RoundProgressLogTest {

    private static final long MS = 1_000_000;
    private static final long HOUR = 3_600_000 * MS;

    @Test
    void warnsOfARoundTenTimesSlowerThanTheMedianOfThoseBefore() {
        try (LogCapture log = LogCapture.capture()) {
            RoundProgressLog progress = new RoundProgressLog("slow", HOUR, 0);
            long now = 0;
            int round = 0;
            // Too few rounds for a median: even a slow round says nothing yet.
            for (long duration : new long[] {2 * MS, 1 * MS, 3 * MS, 100 * MS, 2 * MS}) {
                progress.roundComplete(round++, duration, 1, 0, 0, now += duration);
            }
            assertThat(log.linesWith("'slow': round")).isEmpty();
            // Median of 2, 1, 3, 100, 2 ms is 2 ms: 20 ms is not more than ten times that.
            progress.roundComplete(round++, 20 * MS, 1, 0, 0, now += 20 * MS);
            assertThat(log.linesWith("'slow': round")).isEmpty();
            // Now 1, 2, 2, 3, 20, 100 ms: the (upper) median is 3 ms, and 31 ms is too slow.
            progress.roundComplete(round, 31 * MS, 1, 0, 0, now + 31 * MS);
            assertThat(log.linesWith("'slow': round"))
                    .singleElement()
                    .asString()
                    .startsWith("WARN")
                    .contains("round 6 took 31.0 ms", "median of the 6 rounds before it (3.0 ms)");
        }
    }

    @Test
    void warnsOnceOfHeldFeedbackGrowingTenRoundsInARow() {
        try (LogCapture log = LogCapture.capture()) {
            RoundProgressLog progress = new RoundProgressLog("growing", HOUR, 0);
            int round = 0;
            // Growing nine rounds in a row, then not: no warning.
            for (long held = 1; held <= 10; held++) {
                progress.roundComplete(round++, MS, held, held, 0, round * MS);
            }
            progress.roundComplete(round++, MS, 10, 10, 0, round * MS);
            assertThat(log.linesWith("'growing': the feedback held")).isEmpty();
            // Ten rounds in a row, then on: one warning.
            for (long held = 11; held <= 30; held++) {
                progress.roundComplete(round++, MS, held, held, 8 * held, round * MS);
            }
            assertThat(log.linesWith("'growing': the feedback held"))
                    .singleElement()
                    .asString()
                    .startsWith("WARN")
                    .contains("to 20 records (160 bytes serialized) after round 20");
        }
    }

    @Test
    void warnsOfFeedbackLagAtTenRoundsAndEachTimeItDoubles() {
        try (LogCapture log = LogCapture.capture()) {
            RoundProgressLog progress = new RoundProgressLog("lagging", HOUR, 0);
            for (int lag = 0; lag <= 45; lag++) {
                progress.feedbackLag(lag);
            }
            assertThat(log.linesWith("'lagging': feedback has reached"))
                    .extracting(line -> line.replaceAll(".* a round (\\d+) rounds ahead.*", "$1"))
                    .containsExactly("10", "20", "40");
        }
    }

    @Test
    void writesProgressOncePerIntervalAndTheEnd() {
        try (LogCapture log = LogCapture.capture()) {
            long second = 1000 * MS;
            RoundProgressLog progress = new RoundProgressLog("paced", 10 * second, 0);
            // One round per second for 25 s: progress after 10 s and after 20 s.
            for (int round = 0; round < 25; round++) {
                progress.roundComplete(round, second, 1, 0, 0, (round + 1) * second);
            }
            progress.ended(24, TerminationReason.MAX_ROUNDS, 25 * second);
            assertThat(log.linesWith("'paced': round"))
                    .containsExactly(
                            "INFO Iteration 'paced': round 9 complete, 1.0 rounds/s over the last"
                                    + " 10.0 s, 10.0 s in total",
                            "INFO Iteration 'paced': round 19 complete, 1.0 rounds/s over the last"
                                    + " 10.0 s, 20.0 s in total");
            assertThat(log.linesWith("'paced' ended"))
                    .containsExactly(
                            "INFO Iteration 'paced' ended after round 24 (25 rounds) in 25.0 s:"
                                    + " max-rounds");
        }
    }
}
