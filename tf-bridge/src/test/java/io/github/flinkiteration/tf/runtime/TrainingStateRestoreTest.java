package io.github.flinkiteration.tf.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.tf.model.ModelSource;
import io.github.flinkiteration.tf.model.ModelWeights;
import io.github.flinkiteration.tf.model.MultiLayerPerceptronDefinition;
import io.github.flinkiteration.tf.model.RoundLoss;
import io.github.flinkiteration.tf.params.OptimizerType;
import io.github.flinkiteration.tf.params.RemainderPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.api.operators.co.CoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

/**
 * The trainer and the averager restored from a snapshot taken in the middle of a round continue
 * exactly as if they had not been interrupted. The failover test on the MiniCluster cannot choose
 * where its checkpoints fall; here the snapshots are taken where the state is fullest: rows waiting
 * for the round's weights, a partly filled mini-batch, one of two trainer updates of a round
 * received, a round averaged but the iteration not yet terminated.
 */
class TrainingStateRestoreTest {

    private static final int FEATURES = 4;
    private static final int BATCH = 8;
    private static final TrainingSettings SETTINGS =
            new TrainingSettings(
                    ModelSource.of(new MultiLayerPerceptronDefinition(7, 5)),
                    FEATURES,
                    OptimizerType.GRADIENT_DESCENT,
                    0.1f,
                    BATCH,
                    RemainderPolicy.PARTIAL,
                    null,
                    0);
    private static final String ITERATION = "restore-test";

    // ---- trainer ----

    /** 45 rows: 10 come before the weights; 45 = 5 full batches and 5 rows left over. */
    private static final List<TrainingExample> ROWS = examples(45, 3);

    private static final int BEFORE_WEIGHTS = 10;

    /** 37 rows in: 4 batches trained, 5 rows in the partial batch. */
    private static final int MID_BATCH = 37;

    @Test
    void trainerRestoredMidRoundSendsTheUpdateOfAnUninterruptedRound() throws Exception {
        ModelWeights start = startingWeights();

        DataParallelTrainer uninterrupted = new DataParallelTrainer(SETTINGS, ITERATION);
        TrainingUpdate expected;
        try (var harness = trainerHarness(uninterrupted, null)) {
            rows(harness, 0, BEFORE_WEIGHTS);
            harness.processElement2(new StreamRecord<>(start));
            rows(harness, BEFORE_WEIGHTS, ROWS.size());
            expected = endRound(uninterrupted, 0);
        }

        OperatorSubtaskState waitingForWeights;
        try (var harness = trainerHarness(new DataParallelTrainer(SETTINGS, ITERATION), null)) {
            rows(harness, 0, BEFORE_WEIGHTS);
            waitingForWeights = harness.snapshot(1, 1);
        }
        OperatorSubtaskState midBatch;
        try (var harness =
                trainerHarness(new DataParallelTrainer(SETTINGS, ITERATION), waitingForWeights)) {
            harness.processElement2(new StreamRecord<>(start));
            rows(harness, BEFORE_WEIGHTS, MID_BATCH);
            midBatch = harness.snapshot(2, 2);
        }
        DataParallelTrainer restored = new DataParallelTrainer(SETTINGS, ITERATION);
        TrainingUpdate actual;
        try (var harness = trainerHarness(restored, midBatch)) {
            rows(harness, MID_BATCH, ROWS.size());
            actual = endRound(restored, 0);
        }

        assertThat(actual.rows).as("rows trained").isEqualTo(ROWS.size()).isEqualTo(expected.rows);
        assertThat(actual.lossSum).as("loss sum").isEqualTo(expected.lossSum);
        assertThat(actual.weights).as("weights").isEqualTo(expected.weights);
        assertThat(actual.weights).as("training changed the weights").isNotEqualTo(start);
    }

    private static TwoInputStreamOperatorTestHarness<TrainingExample, ModelWeights, TrainingUpdate>
            trainerHarness(DataParallelTrainer trainer, OperatorSubtaskState restoreFrom)
                    throws Exception {
        var harness = new TwoInputStreamOperatorTestHarness<>(new CoProcessOperator<>(trainer));
        if (restoreFrom != null) {
            harness.initializeState(restoreFrom);
        }
        harness.open();
        return harness;
    }

    private static void rows(
            TwoInputStreamOperatorTestHarness<TrainingExample, ModelWeights, TrainingUpdate>
                    harness,
            int from,
            int to)
            throws Exception {
        for (int i = from; i < to; i++) {
            harness.processElement1(new StreamRecord<>(ROWS.get(i)));
        }
    }

    private static TrainingUpdate endRound(DataParallelTrainer trainer, int round)
            throws Exception {
        List<TrainingUpdate> out = new ArrayList<>();
        trainer.onRoundEnd(round, new SideOutputs(), new ListCollector<>(out));
        assertThat(out).as("updates at the end of round %d", round).hasSize(1);
        return out.get(0);
    }

    // ---- averager ----

    @Test
    void averagerRestoredBetweenUpdatesAndBeforeTerminationEmitsWhatAnUninterruptedOneEmits()
            throws Exception {
        List<TrainingUpdate> round0 = List.of(update(11, 300, 41.5), update(12, 200, 30.25));
        List<TrainingUpdate> round1 = List.of(update(13, 299, 20.5), update(14, 201, 19.0));

        WeightAverager uninterrupted = new WeightAverager(SETTINGS, ITERATION);
        AveragerOutputs expected = new AveragerOutputs();
        try (var harness = averagerHarness(uninterrupted, null)) {
            for (TrainingUpdate u : round0) {
                harness.processElement(new StreamRecord<>(u));
            }
            expected.endRound(uninterrupted, 0);
            for (TrainingUpdate u : round1) {
                harness.processElement(new StreamRecord<>(u));
            }
            expected.endRound(uninterrupted, 1);
            expected.terminate(uninterrupted);
        }

        AveragerOutputs actual = new AveragerOutputs();
        OperatorSubtaskState oneUpdateIn;
        try (var harness = averagerHarness(new WeightAverager(SETTINGS, ITERATION), null)) {
            harness.processElement(new StreamRecord<>(round0.get(0)));
            oneUpdateIn = harness.snapshot(1, 1);
        }
        OperatorSubtaskState roundOneAveraged;
        WeightAverager averager = new WeightAverager(SETTINGS, ITERATION);
        try (var harness = averagerHarness(averager, oneUpdateIn)) {
            harness.processElement(new StreamRecord<>(round0.get(1)));
            actual.endRound(averager, 0);
            for (TrainingUpdate u : round1) {
                harness.processElement(new StreamRecord<>(u));
            }
            actual.endRound(averager, 1);
            roundOneAveraged = harness.snapshot(2, 2);
        }
        averager = new WeightAverager(SETTINGS, ITERATION);
        try (var harness = averagerHarness(averager, roundOneAveraged)) {
            actual.terminate(averager);
        }

        assertThat(actual.feedback).as("averaged weights fed back").hasSize(2);
        assertThat(actual.feedback).isEqualTo(expected.feedback);
        assertThat(actual.losses).as("losses").isEqualTo(expected.losses);
        assertThat(actual.finalWeights).as("final weights").hasSize(1);
        assertThat(actual.finalWeights).isEqualTo(expected.finalWeights);
        assertThat(actual.finalWeights.get(0)).isEqualTo(actual.feedback.get(1));
        // The average of round 0 by rows, computed here: (300 · w11 + 200 · w12) / 500.
        ModelWeights w11 = round0.get(0).weights;
        ModelWeights w12 = round0.get(1).weights;
        for (int v = 0; v < w11.size(); v++) {
            float[] want = new float[w11.values[v].length];
            for (int i = 0; i < want.length; i++) {
                want[i] = (float) ((300.0 * w11.values[v][i] + 200.0 * w12.values[v][i]) / 500.0);
            }
            assertThat(actual.feedback.get(0).values[v]).containsExactly(want);
        }
    }

    private static OneInputStreamOperatorTestHarness<TrainingUpdate, ModelWeights> averagerHarness(
            WeightAverager averager, OperatorSubtaskState restoreFrom) throws Exception {
        var harness = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(averager));
        if (restoreFrom != null) {
            harness.initializeState(restoreFrom);
        }
        harness.open();
        return harness;
    }

    /** Everything an averager emitted, with the losses as (round, loss, rows) strings. */
    private static final class AveragerOutputs {
        final List<ModelWeights> feedback = new ArrayList<>();
        final List<String> losses = new ArrayList<>();
        final List<ModelWeights> finalWeights = new ArrayList<>();

        void endRound(WeightAverager averager, int round) throws Exception {
            SideOutputs side = new SideOutputs();
            averager.onRoundEnd(round, side, new ListCollector<>(feedback));
            for (Object loss : side.of(WeightAverager.ROUND_LOSS)) {
                RoundLoss l = (RoundLoss) loss;
                losses.add(l.round + "/" + l.loss + "/" + l.rows);
            }
        }

        void terminate(WeightAverager averager) throws Exception {
            SideOutputs side = new SideOutputs();
            List<ModelWeights> main = new ArrayList<>();
            averager.onIterationTerminated(side, new ListCollector<>(main));
            assertThat(main).as("main output at termination").isEmpty();
            for (Object weights : side.of(WeightAverager.FINAL_WEIGHTS)) {
                finalWeights.add((ModelWeights) weights);
            }
        }
    }

    // ---- helpers ----

    private static ModelWeights startingWeights() {
        try (ModelSession session = SETTINGS.openSession()) {
            return session.readWeights();
        }
    }

    /** Weights of the model's layout with values drawn from {@code seed}. */
    private static TrainingUpdate update(long seed, long rows, double lossSum) {
        ModelWeights layout = startingWeights();
        Random random = new Random(seed);
        float[][] values = new float[layout.size()][];
        for (int v = 0; v < values.length; v++) {
            values[v] = new float[layout.values[v].length];
            for (int i = 0; i < values[v].length; i++) {
                values[v][i] = (float) random.nextGaussian();
            }
        }
        return new TrainingUpdate(
                new ModelWeights(layout.names, layout.shapes, values), rows, lossSum);
    }

    private static List<TrainingExample> examples(int count, long seed) {
        Random random = new Random(seed);
        List<TrainingExample> examples = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float label = random.nextBoolean() ? 1 : 0;
            float[] features = new float[FEATURES];
            for (int j = 0; j < FEATURES; j++) {
                features[j] = (float) ((label * 2 - 1) + random.nextGaussian());
            }
            examples.add(new TrainingExample(i, features, label));
        }
        return examples;
    }

    private static final class SideOutputs implements IterationListener.Context {
        private final List<Object[]> emitted = new ArrayList<>();

        @Override
        public <X> void output(OutputTag<X> outputTag, X value) {
            emitted.add(new Object[] {outputTag.getId(), value});
        }

        List<Object> of(OutputTag<?> tag) {
            List<Object> values = new ArrayList<>();
            for (Object[] e : emitted) {
                if (e[0].equals(tag.getId())) {
                    values.add(e[1]);
                }
            }
            return values;
        }
    }

    private static final class ListCollector<T> implements org.apache.flink.util.Collector<T> {
        private final List<T> list;

        ListCollector(List<T> list) {
            this.list = list;
        }

        @Override
        public void collect(T record) {
            list.add(record);
        }

        @Override
        public void close() {}
    }
}
