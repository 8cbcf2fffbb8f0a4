package io.github.flinkiteration.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The TensorFlow example trains and scores in one job at parallelism 2: every event is scored once,
 * by the trained model (version 0), and the scores classify held-out rows well.
 */
class TensorFlowTrainAndScoreTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = ExamplesCluster.extension();

    @Test
    void scoresEveryEventWithTheModelTrainedInTheSameJob() throws Exception {
        int events = 1_000;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        List<Row> scored = new ArrayList<>();
        try (CloseableIterator<Row> it =
                TensorFlowTrainAndScore.trainAndScore(
                                Blobs.stream(env, 4_000, 1), Blobs.stream(env, events, 2), 5)
                        .executeAndCollect()) {
            it.forEachRemaining(scored::add);
        }

        assertThat(scored).hasSize(events);
        Set<Row> expectedEvents = new HashSet<>();
        for (long i = 0; i < events; i++) {
            expectedEvents.add(Blobs.row(i, 2));
        }
        Set<Row> scoredEvents = new HashSet<>();
        for (Row row : scored) {
            scoredEvents.add(Row.project(row, new int[] {0, 1, 2, 3, 4}));
            assertThat(row.getField(6)).as("model version").isEqualTo(0L);
        }
        assertThat(scoredEvents).isEqualTo(expectedEvents);
        long correct = scored.stream().filter(TensorFlowTrainAndScore::isCorrect).count();
        assertThat((double) correct / events).as("accuracy").isGreaterThanOrEqualTo(0.95);
    }
}
