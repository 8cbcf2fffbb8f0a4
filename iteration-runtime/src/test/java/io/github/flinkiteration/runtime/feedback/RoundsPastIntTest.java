package io.github.flinkiteration.runtime.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.runtime.ForgedProgress;
import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import io.github.flinkiteration.runtime.protocol.RoundDecisionEvent;
import io.github.flinkiteration.runtime.record.IterationRecord;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.Test;

/**
 * An unbounded loop's head and tail carry on past round {@link Integer#MAX_VALUE}, as an online job
 * does after about a month: records move to the next round, round watermarks and the tail's markers
 * follow, and the head counts and reports each round. No test can run 2³¹ rounds; the head is
 * restored from a snapshot that holds the progress such a run leaves ({@link ForgedProgress}).
 */
class RoundsPastIntTest {

    /** Unbounded: feedback is not held; at parallelism 2 the coordinator decides. */
    private static final ProgressPlan UNBOUNDED = new ProgressPlan("it", "test", 0, 1, 0, false, 0);

    private static final long LAST_INT = Integer.MAX_VALUE;
    private static final long FIRST_PAST = LAST_INT + 1;

    @Test
    void recordsMarkersWatermarksAndCountsCrossTheIntBoundary() throws Exception {
        // Round LAST_INT - 1 was emitted, complete at the tail and reported; two records that
        // enter round FIRST_PAST had already been passed on when the snapshot was taken.
        OperatorSubtaskState snapshot =
                ForgedProgress.at(2, 0)
                        .with("head-progress", LAST_INT - 1, LAST_INT - 1, LAST_INT - 1, 0, 1, 0, 0)
                        .with("head-counts", FIRST_PAST, 2)
                        .snapshot();
        try (LoopSubtask loop = LoopSubtask.restore(UNBOUNDED, 2, 0, snapshot, null)) {
            assertThat(loop.sentToCoordinator())
                    .as("a restored head tells where it stands and reports its last round again")
                    .containsExactly("resume 2147483646", "report 2147483646 fed 0");
            assertThat(loop.headOutput())
                    .as("a restored head sends its last round watermark again")
                    .containsExactly("wm 2147483646");

            // The body emits a record of each round; the tail moves each to the next round.
            loop.tailRecords((int) (LAST_INT - 1), 10);
            loop.tail.processElement(new StreamRecord<>(new IterationRecord<>(LAST_INT, 20)));
            loop.head.runMailbox();
            loop.fromCoordinator(RoundDecisionEvent.startRound(LAST_INT));

            assertThat(loop.headOutput())
                    .containsExactly(
                            "wm 2147483646", "2147483647:10", "2147483648:20", "wm 2147483647");

            loop.tail.processWatermark(LAST_INT);
            loop.head.runMailbox();

            assertThat(loop.sentToCoordinator())
                    .as("round 2^31 - 1 is complete; 2 restored + 1 new records enter 2^31")
                    .containsExactly(
                            "resume 2147483646",
                            "report 2147483646 fed 0",
                            "report 2147483647 fed 3");

            loop.tail.processElement(new StreamRecord<>(new IterationRecord<>(FIRST_PAST, 30)));
            loop.tail.processElement(new StreamRecord<>(new IterationRecord<>(FIRST_PAST, 31)));
            loop.head.runMailbox();
            loop.fromCoordinator(RoundDecisionEvent.startRound(FIRST_PAST));
            loop.tail.processWatermark(FIRST_PAST);
            loop.head.runMailbox();

            assertThat(loop.headOutput())
                    .containsExactly(
                            "wm 2147483646",
                            "2147483647:10",
                            "2147483648:20",
                            "wm 2147483647",
                            "2147483649:30",
                            "2147483649:31",
                            "wm 2147483648");
            assertThat(loop.sentToCoordinator())
                    .containsExactly(
                            "resume 2147483646",
                            "report 2147483646 fed 0",
                            "report 2147483647 fed 3",
                            "report 2147483648 fed 2");
            assertThat(loop.headOperator().emittedRound()).isEqualTo(FIRST_PAST);
            assertThat(loop.headOperator().reportedRound()).isEqualTo(FIRST_PAST);
        }
    }
}
