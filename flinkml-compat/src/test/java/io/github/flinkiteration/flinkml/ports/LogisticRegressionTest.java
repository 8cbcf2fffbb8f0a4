package io.github.flinkiteration.flinkml.ports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The port of flink-ml's logistic regression (through its SGD optimizer) gives, at parallelism 4,
 * the model of mini-batch SGD in plain Java on the benchmarks' online-training records.
 */
class LogisticRegressionTest {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(2)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final int PARALLELISM = 4;
    private static final int RECORDS = 8_000;

    /**
     * Each epoch sums 400 gradients in another order than the reference (per subtask, then over
     * subtasks); the sums differ in the last bits (the coefficients, of order 1, differed by
     * 4.4e-16 at most when measured), and a few dozen epochs do not grow that anywhere near 1e-9.
     */
    private static final double TOLERANCE = 1e-9;

    @Test
    void stopsAtMaxIterWithTheModelOfPlainSgd() throws Exception {
        LogisticRegression lr =
                new LogisticRegression()
                        .setMaxIter(25)
                        .setLearningRate(0.5)
                        .setGlobalBatchSize(400)
                        .setTol(1e-6);
        SgdReference.Result expected =
                SgdReference.train(records(), PARALLELISM, 400, 25, 0.5, 1e-6, 0, 0);
        assertThat(expected.epochs).as("the round limit ends the reference").isEqualTo(25);

        assertThat(fit(lr)).containsExactly(expected.coefficients, within(TOLERANCE));
    }

    @Test
    void stopsAtTheToleranceWithTheModelOfPlainSgd() throws Exception {
        int maxIter = 200;
        double tol = 0.3;
        LogisticRegression lr =
                new LogisticRegression()
                        .setMaxIter(maxIter)
                        .setLearningRate(1.0)
                        .setGlobalBatchSize(800)
                        .setTol(tol)
                        .setReg(0.01)
                        .setElasticNet(0.5);
        SgdReference.Result expected =
                SgdReference.train(records(), PARALLELISM, 800, maxIter, 1.0, tol, 0.01, 0.5);
        assertThat(expected.epochs).as("the tolerance ends the reference").isLessThan(maxIter);

        assertThat(fit(lr)).containsExactly(expected.coefficients, within(TOLERANCE));
    }

    private static double[] fit(LogisticRegression lr) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(PARALLELISM);
        // One source subtask in index order, so the round-robin exchange in front of the
        // optimizer splits the records as the reference does.
        DataStream<LabeledPointWithWeight> examples =
                env.fromSequence(0, RECORDS - 1)
                        .setParallelism(1)
                        .map(OnlineTrainingRecords::record)
                        .setParallelism(1)
                        .name("online training records");
        List<DenseVector> models = new ArrayList<>();
        lr.fit(examples).executeAndCollect().forEachRemaining(models::add);
        assertThat(models).as("one model").hasSize(1);
        return models.get(0).values;
    }

    private static List<LabeledPointWithWeight> records() {
        List<LabeledPointWithWeight> records = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            records.add(OnlineTrainingRecords.record(i));
        }
        return records;
    }
}
