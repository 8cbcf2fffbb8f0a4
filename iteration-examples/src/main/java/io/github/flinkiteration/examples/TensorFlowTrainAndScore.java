package io.github.flinkiteration.examples;

import io.github.flinkiteration.tf.estimator.TFEstimator;
import io.github.flinkiteration.tf.estimator.TFModel;
import io.github.flinkiteration.tf.model.MultiLayerPerceptronDefinition;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/**
 * Trains a TensorFlow MLP on generated rows and, in the same job, scores a second stream of rows
 * with it: {@code TFEstimator.fit} is a bounded iteration (one pass over the rows per round), and
 * {@code TFModel.transform} scores each row of the other stream as soon as the training has ended,
 * rows that arrived earlier having waited for the model.
 *
 * <pre>{@code
 * DataStream<Row> scored = TensorFlowTrainAndScore.trainAndScore(trainingRows, events, 10);
 * // rows of events + probability (DOUBLE) + model_version (BIGINT)
 * }</pre>
 *
 * <p>Run it on an embedded MiniCluster with {@code mvn -q -pl iteration-examples -am compile
 * exec:exec -Dexample.class=io.github.flinkiteration.examples.TensorFlowTrainAndScore}; options
 * {@code --parallelism N --rows R --events E --rounds K}. It prints the accuracy of the scores. It
 * needs TensorFlow Java's native library (loaded in the JVM, see docs/tf-bridge.md), so its job is
 * meant for the MiniCluster or a cluster with TF Java in {@code lib/}.
 */
public final class TensorFlowTrainAndScore {

    private TensorFlowTrainAndScore() {}

    /**
     * Adds to the job: an MLP trained on {@code training} for at most {@code rounds} rounds, and
     * the scoring of {@code events} with it. Returns the scored events.
     */
    public static DataStream<Row> trainAndScore(
            DataStream<Row> training, DataStream<Row> events, int rounds) {
        TFModel model =
                new TFEstimator()
                        .setInputCols(Blobs.FEATURES)
                        .setLabelCol(Blobs.LABEL)
                        .setModelDefinition(new MultiLayerPerceptronDefinition(42, 16))
                        .setBatchSize(32)
                        .setLearningRate(0.05)
                        .setMaxRounds(rounds)
                        .setTolerance(1e-4)
                        .fit(training);
        return model.setOutputCols("probability").setOutputTypes(Types.DOUBLE).transform(events);
    }

    public static void main(String[] args) throws Exception {
        int rows = Arguments.intValue(args, "--rows", 20_000);
        int events = Arguments.intValue(args, "--events", 5_000);
        int rounds = Arguments.intValue(args, "--rounds", 10);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Arguments.applyParallelism(args, env);
        DataStream<Row> scored =
                trainAndScore(Blobs.stream(env, rows, 1), Blobs.stream(env, events, 2), rounds);

        System.out.printf(
                "TensorFlow MLP: trained on %d rows (at most %d rounds), scoring %d rows,"
                        + " parallelism %d%n",
                rows, rounds, events, env.getParallelism());
        long correct = 0;
        long total = 0;
        try (CloseableIterator<Row> it = scored.executeAndCollect("tf train and score")) {
            while (it.hasNext()) {
                Row row = it.next();
                if (total < 3) {
                    System.out.println("  " + row);
                }
                total++;
                if (isCorrect(row)) {
                    correct++;
                }
            }
        }
        System.out.printf(
                "accuracy on the scored rows: %.4f (%d rows)%n", (double) correct / total, total);
    }

    /** Whether a scored row's probability (≥ 0.5 means 1, the column after the label) is right. */
    public static boolean isCorrect(Row row) {
        int label = (Integer) row.getField(Blobs.FEATURES.length);
        double probability = (Double) row.getField(Blobs.FEATURES.length + 1);
        return (probability >= 0.5 ? 1 : 0) == label;
    }
}
