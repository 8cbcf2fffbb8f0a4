package io.github.flinkiteration.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.flinkiteration.api.ConvergenceCriterion;
import io.github.flinkiteration.tf.estimator.TFEstimator;
import io.github.flinkiteration.tf.estimator.TFModel;
import io.github.flinkiteration.tf.model.LogisticRegressionDefinition;
import io.github.flinkiteration.tf.model.MultiLayerPerceptronDefinition;
import io.github.flinkiteration.tf.params.OptimizerType;
import io.github.flinkiteration.tf.params.RemainderPolicy;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Data-parallel training of an MLP on blob data at parallelism 2 and 4: the held-out accuracy
 * reaches 0.95, the loss decreases from round to round, and the training stops at the first round
 * whose loss changed by less than the tolerance, before the round limit. Also: p = 2 equals a plain
 * simulation, a user's own convergence criterion stops the training where it holds, Adam trains.
 */
class DataParallelTrainingTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TFCluster.extension();

    private static final int MAX_ROUNDS = 40;
    private static final double TOLERANCE = 1e-3;

    @ParameterizedTest(name = "parallelism {0}")
    @ValueSource(ints = {2, 4})
    void learnsTheBlobsAndStopsWhenTheLossConverges(int parallelism) throws Exception {
        List<Row> training = BlobData.rows(4_000, 21);
        List<Row> heldOut = BlobData.rows(1_000, 22);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        TFModel model =
                new TFEstimator()
                        .setInputCols(BlobData.FEATURES)
                        .setLabelCol(BlobData.LABEL)
                        .setModelDefinition(new MultiLayerPerceptronDefinition(5, 8))
                        .setBatchSize(32)
                        .setLearningRate(0.05)
                        .setMaxRounds(MAX_ROUNDS)
                        .setTolerance(TOLERANCE)
                        .fit(env.fromData(training, BlobData.rowType()));
        TrainingRun run = TrainingRun.execute(env, model);

        List<Double> losses = run.lossValues();
        assertThat(JavaPredictor.accuracy(run.finalWeights(), heldOut))
                .as("held-out accuracy")
                .isGreaterThanOrEqualTo(0.95);
        for (int r = 1; r < losses.size(); r++) {
            assertThat(losses.get(r)).as("loss of round %d", r).isLessThan(losses.get(r - 1));
        }
        int expectedRounds = firstConvergedRound(losses) + 1;
        assertThat(expectedRounds)
                .as("the criterion holds before the round limit")
                .isLessThan(MAX_ROUNDS);
        assertThat(losses).as("rounds run").hasSize(expectedRounds);
    }

    /**
     * With logistic regression and gradient descent, the data-parallel training at parallelism 2
     * equals a plain simulation of it: two partitions trained from the same weights each round,
     * averaged by rows.
     */
    @Test
    void parallelismTwoEqualsAveragingTwoPlainTfLoops() throws Exception {
        List<Row> training = BlobData.rows(1_001, 23);
        PlainTfLogisticRegression expected =
                PlainTfLogisticRegression.trainAveraged(
                        training, 2, 3, 40, 0.2f, RemainderPolicy.PARTIAL);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        TrainingRun run =
                TrainingRun.execute(
                        env,
                        BlobData.logisticRegression()
                                .setBatchSize(40)
                                .setLearningRate(0.2)
                                .setMaxRounds(3)
                                .fit(env.fromData(training, BlobData.rowType())));

        float[] w = run.finalWeights().valuesOf(LogisticRegressionDefinition.WEIGHTS);
        for (int j = 0; j < w.length; j++) {
            assertThat(w[j]).as("weight %d", j).isCloseTo(expected.weights[j], within(1e-6f));
        }
        assertThat(run.finalWeights().valuesOf(LogisticRegressionDefinition.BIAS)[0])
                .isCloseTo(expected.bias, within(1e-6f));
        for (int r = 0; r < 3; r++) {
            assertThat(run.losses.get(r).loss).isCloseTo(expected.roundLosses.get(r), within(1e-6));
        }
    }

    /**
     * A criterion of the user's own (the loss fell by less than 5 % of the previous round's) stops
     * the training after the first round in which it holds. It sees one loss per round, and the
     * previous round's (none in round 0); otherwise it fails the job.
     */
    @Test
    void aUserCriterionStopsTheTrainingAtTheRoundItHolds() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        TrainingRun run =
                TrainingRun.execute(
                        env,
                        BlobData.logisticRegression()
                                .setBatchSize(32)
                                .setLearningRate(0.05)
                                .setMaxRounds(MAX_ROUNDS)
                                .setConvergenceCriterion(new RelativeDecreaseBelow(0.05))
                                .fit(env.fromData(BlobData.rows(2_000, 24), BlobData.rowType())));

        List<Double> losses = run.lossValues();
        int expectedRounds = MAX_ROUNDS;
        for (int r = 1; r < losses.size(); r++) {
            if (losses.get(r - 1) - losses.get(r) < 0.05 * losses.get(r - 1)) {
                expectedRounds = r + 1;
                break;
            }
        }
        assertThat(expectedRounds)
                .as("the criterion holds before the round limit")
                .isLessThan(MAX_ROUNDS);
        assertThat(losses).as("rounds run").hasSize(expectedRounds);
    }

    /**
     * Adam trains as well. TF Java's Adam is not bit-reproducible when several sessions run at
     * once, so only the outcome is checked: the loss falls and the held-out accuracy reaches 0.95.
     */
    @Test
    void adamLearnsTheBlobs() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        TrainingRun run =
                TrainingRun.execute(
                        env,
                        new TFEstimator()
                                .setInputCols(BlobData.FEATURES)
                                .setLabelCol(BlobData.LABEL)
                                .setModelDefinition(new MultiLayerPerceptronDefinition(5, 8))
                                .setOptimizer(OptimizerType.ADAM)
                                .setBatchSize(32)
                                .setLearningRate(0.01)
                                .setMaxRounds(8)
                                .fit(env.fromData(BlobData.rows(4_000, 25), BlobData.rowType())));

        List<Double> losses = run.lossValues();
        assertThat(losses).hasSize(8);
        assertThat(losses.get(7)).as("last loss").isLessThan(losses.get(0));
        assertThat(JavaPredictor.accuracy(run.finalWeights(), BlobData.rows(1_000, 26)))
                .as("held-out accuracy")
                .isGreaterThanOrEqualTo(0.95);
    }

    /** Converged when the loss fell by less than {@code fraction} of the previous round's. */
    private static final class RelativeDecreaseBelow implements ConvergenceCriterion<Double> {
        private final double fraction;

        RelativeDecreaseBelow(double fraction) {
            this.fraction = fraction;
        }

        @Override
        public boolean isConverged(Context<Double> context) {
            List<Double> now = context.getStreamRecords();
            List<Double> before = context.getPreviousStreamRecords();
            if (now.size() != 1 || before.size() != (context.getRound() == 0 ? 0 : 1)) {
                throw new IllegalStateException(
                        "round " + context.getRound() + ": losses " + now + " after " + before);
            }
            return !before.isEmpty() && before.get(0) - now.get(0) < fraction * before.get(0);
        }
    }

    /** The first round r >= 1 whose loss differs from round r - 1's by less than the tolerance. */
    private static int firstConvergedRound(List<Double> losses) {
        for (int r = 1; r < losses.size(); r++) {
            if (Math.abs(losses.get(r) - losses.get(r - 1)) < TOLERANCE) {
                return r;
            }
        }
        return MAX_ROUNDS;
    }
}
