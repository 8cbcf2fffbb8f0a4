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
            for (long duration : new long[] {200 * MS, 100 * MS, 300 * MS, 10_000 * MS, 200 * MS}) {
                progress.roundComplete(round++, duration, 1, 0, 0, now += duration);
            }
            assertThat(log.linesWith("'slow': round")).isEmpty();
            // The median of the rounds before is 200 ms: 2 s is not more than ten times that.
            progress.roundComplete(round++, 2000 * MS, 1, 0, 0, now += 2000 * MS);
            assertThat(log.linesWith("'slow': round")).isEmpty();
            // Now 100, 200, 200, 300, 2000, 10000 ms: the (upper) median is 300 ms.
            progress.roundComplete(round, 3100 * MS, 1, 0, 0, now + 3100 * MS);
            assertThat(log.linesWith("'slow': round"))
                    .singleElement()
                    .asString()
                    .startsWith("WARN")
                    .contains(
                            "round 6 took 3100.0 ms",
                            "median of the 6 rounds before it (300.0 ms)");
        }
    }

    @Test
    void aShortRoundIsNoWarningHoweverItCompares() {
        try (LogCapture log = LogCapture.capture()) {
            RoundProgressLog progress = new RoundProgressLog("fast", HOUR, 0);
            for (int round = 0; round < 10; round++) {
                progress.roundComplete(round, MS / 10, 1, 0, 0, round * MS);
            }
            progress.roundComplete(10, 99 * MS, 1, 0, 0, 110 * MS);
            assertThat(log.linesWith("'fast': round")).isEmpty();
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
    void warnsOfFeedbackLagAtAHundredRoundsAndEachTimeItDoubles() {
        try (LogCapture log = LogCapture.capture()) {
            RoundProgressLog progress = new RoundProgressLog("lagging", HOUR, 0);
            for (int lag = 0; lag <= 450; lag++) {
                progress.feedbackLag(lag);
            }
            assertThat(log.linesWith("'lagging': feedback has reached"))
                    .extracting(line -> line.replaceAll(".* a round (\\d+) rounds ahead.*", "$1"))
                    .containsExactly("100", "200", "400");
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
