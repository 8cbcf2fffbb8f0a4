package io.github.flinkiteration.benchmarks;

import io.github.flinkiteration.tf.estimator.TFEstimator;
import io.github.flinkiteration.tf.estimator.TFModel;
import io.github.flinkiteration.tf.model.ModelSource;
import io.github.flinkiteration.tf.model.MultiLayerPerceptronDefinition;
import io.github.flinkiteration.tf.model.RoundLoss;
import io.github.flinkiteration.tf.params.OptimizerType;
import io.github.flinkiteration.tf.runtime.ModelSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/**
 * W5: data-parallel TensorFlow training with {@code TFEstimator} ({@code w5}), and its limit on
 * this machine ({@code w5-session}): one TF Java session doing the same mini-batch steps on the
 * same rows in a plain Java loop, no Flink. Both train the same MLP with gradient descent for the
 * same rounds (passes over the rows).
 *
 * <p>Round 0 is warm-up (the iteration caches the rows, TF builds its kernels); the figures are of
 * rounds 1 to the last: time per round, rows per second (all trainers together) and the last
 * round's loss. The training's round ends are timed by a map on the loss stream, in this JVM's
 * local cluster, when each round's loss passes.
 */
final class TensorFlowTrainingWorkload {

    static final int DEFAULT_ROWS = 100_000;
    static final int FEATURES = 16;
    static final int[] HIDDEN = {64, 64};
    static final int BATCH = 64;
    static final double LEARNING_RATE = 0.05;
    static final long SEED = 42;

    private TensorFlowTrainingWorkload() {}

    /** W5: TFEstimator at the environment's parallelism for {@code rounds} rounds. */
    static RunResult run(StreamExecutionEnvironment env, int rows, int rounds) throws Exception {
        List<Row> data = rows(rows);
        String[] columns = new String[FEATURES];
        TypeInformation<?>[] types = new TypeInformation<?>[FEATURES + 1];
        for (int f = 0; f < FEATURES; f++) {
            columns[f] = "x" + f;
            types[f] = Types.FLOAT;
        }
        types[FEATURES] = Types.INT;
        String[] names = new String[FEATURES + 1];
        System.arraycopy(columns, 0, names, 0, FEATURES);
        names[FEATURES] = "label";
        TFModel model =
                new TFEstimator()
                        .setInputCols(columns)
                        .setLabelCol("label")
                        .setModelDefinition(new MultiLayerPerceptronDefinition(SEED, HIDDEN))
                        .setOptimizer(OptimizerType.GRADIENT_DESCENT)
                        .setLearningRate(LEARNING_RATE)
                        .setBatchSize(BATCH)
                        .setMaxRounds(rounds)
                        .fit(env.fromData(data, Types.ROW_NAMED(names, types)).setParallelism(1));
        DataStream<Tuple4<Integer, Double, Long, Long>> timed =
                model.getLosses()
                        .map(new StampRoundEnd())
                        .returns(Types.TUPLE(Types.INT, Types.DOUBLE, Types.LONG, Types.LONG))
                        .setParallelism(1)
                        .name("stamp round end");
        List<Tuple4<Integer, Double, Long, Long>> ends = new ArrayList<>();
        long start = System.nanoTime();
        long netRuntime;
        try (CloseableIterator<Tuple4<Integer, Double, Long, Long>> it = timed.collectAsync()) {
            netRuntime = env.execute("w5").getNetRuntime();
            it.forEachRemaining(ends::add);
        }
        long wallMs = (System.nanoTime() - start) / 1_000_000;
        ends.sort((a, b) -> Integer.compare(a.f0, b.f0));
        if (ends.size() < 2) {
            throw new IllegalStateException("w5 needs at least 2 rounds, got " + ends.size());
        }
        Tuple4<Integer, Double, Long, Long> first = ends.get(0);
        Tuple4<Integer, Double, Long, Long> last = ends.get(ends.size() - 1);
        long rowsTimed = 0;
        for (Tuple4<Integer, Double, Long, Long> end : ends.subList(1, ends.size())) {
            rowsTimed += end.f2;
        }
        return figures(
                new RunResult("w5", env.getParallelism(), rounds, wallMs, netRuntime, last.f1),
                ends.size() - 1,
                rowsTimed,
                last.f3 - first.f3,
                last.f1);
    }

    /** W5's limit: one TF session, the same steps in a plain Java loop (parallelism 1). */
    static RunResult runSession(int rows, int rounds) {
        List<Row> data = rows(rows);
        float[] features = new float[rows * FEATURES];
        float[] labels = new float[rows];
        for (int r = 0; r < rows; r++) {
            Row row = data.get(r);
            for (int f = 0; f < FEATURES; f++) {
                features[r * FEATURES + f] = (Float) row.getField(f);
            }
            labels[r] = (Integer) row.getField(FEATURES);
        }
        float[] batchFeatures = new float[BATCH * FEATURES];
        float[] batchLabels = new float[BATCH];
        long start = System.nanoTime();
        long warmedUp = start;
        double lastLoss = Double.NaN;
        try (ModelSession session =
                ModelSession.open(
                        ModelSource.of(new MultiLayerPerceptronDefinition(SEED, HIDDEN)),
                        FEATURES,
                        OptimizerType.GRADIENT_DESCENT,
                        (float) LEARNING_RATE)) {
            for (int round = 0; round < rounds; round++) {
                double lossSum = 0;
                for (int from = 0; from < rows; from += BATCH) {
                    int n = Math.min(BATCH, rows - from);
                    System.arraycopy(features, from * FEATURES, batchFeatures, 0, n * FEATURES);
                    System.arraycopy(labels, from, batchLabels, 0, n);
                    lossSum += (double) session.trainBatch(batchFeatures, batchLabels, n) * n;
                }
                lastLoss = lossSum / rows;
                if (round == 0) {
                    warmedUp = System.nanoTime();
                }
            }
        }
        long end = System.nanoTime();
        long wallMs = (end - start) / 1_000_000;
        return figures(
                new RunResult("w5-session", 1, rounds, wallMs, wallMs, lastLoss),
                rounds - 1,
                (long) rows * (rounds - 1),
                end - warmedUp,
                lastLoss);
    }

    private static RunResult figures(
            RunResult result, int roundsTimed, long rowsTimed, long nanos, double finalLoss) {
        double seconds = nanos / 1e9;
        return result.with("rowsPerSecond", rowsTimed / seconds)
                .with("msPerRound", seconds * 1000 / Math.max(roundsTimed, 1))
                .with("finalLoss", finalLoss);
    }

    /**
     * {@code count} rows: {@code FEATURES} Gaussian floats, label 1 when a fixed linear score with
     * a little noise is positive. The same rows in every run and in both workloads.
     */
    static List<Row> rows(int count) {
        Random random = new Random(SEED);
        float[] direction = new float[FEATURES];
        for (int f = 0; f < FEATURES; f++) {
            direction[f] = (float) random.nextGaussian();
        }
        List<Row> rows = new ArrayList<>(count);
        for (int r = 0; r < count; r++) {
            Row row = new Row(FEATURES + 1);
            double score = 0.3 * random.nextGaussian();
            for (int f = 0; f < FEATURES; f++) {
                float x = (float) random.nextGaussian();
                row.setField(f, x);
                score += x * direction[f];
            }
            row.setField(FEATURES, score > 0 ? 1 : 0);
            rows.add(row);
        }
        return rows;
    }

    /** (round, loss, rows, System.nanoTime() when the round's loss passed). */
    private static final class StampRoundEnd
            implements MapFunction<RoundLoss, Tuple4<Integer, Double, Long, Long>> {
        @Override
        public Tuple4<Integer, Double, Long, Long> map(RoundLoss loss) {
            return Tuple4.of(loss.round, loss.loss, loss.rows, System.nanoTime());
        }
    }
}
