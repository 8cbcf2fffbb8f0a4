package io.github.flinkiteration.benchmarks;

import io.github.flinkiteration.tf.estimator.TFEstimator;
import io.github.flinkiteration.tf.estimator.TFModel;
import io.github.flinkiteration.tf.model.ModelSource;
import io.github.flinkiteration.tf.model.MultiLayerPerceptronDefinition;
import io.github.flinkiteration.tf.model.RoundLoss;
import io.github.flinkiteration.tf.params.OptimizerType;
import io.github.flinkiteration.tf.runtime.ModelSession;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple6;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Row;

/**
 * W5: data-parallel TensorFlow training with {@code TFEstimator} ({@code w5}), and its limit on
 * this machine ({@code w5-session}): one TF Java session doing the same mini-batch steps on the
 * same rows in a plain Java loop, no Flink. Both train the same MLP with gradient descent for the
 * same rounds (passes over the rows).
 *
 * <p>Round 0 is warm-up (the iteration caches the rows, TF builds its kernels); the figures are of
 * rounds 1 to the last: time per round, rows per second (all trainers together) and the last
 * round's loss. The training's round ends are timed by a map on the loss stream, in this JVM's
 * local cluster, when each round's loss passes. Both also report the CPU time of those rounds:
 * {@code trainerCpuMs} (the trainers' or sessions' threads, where TF runs their ops) and {@code
 * processCpuMs} (the whole JVM: Flink, the replay, the JIT compiler, GC); on a shared machine they
 * say what the rounds cost where wall-clock rates say mostly how loaded the machine was.
 */
final class TensorFlowTrainingWorkload {

    static final int DEFAULT_ROWS = 100_000;
    static final int FEATURES = 16;
    static final int[] HIDDEN = {64, 64};
    static final int BATCH = 64;
    static final double LEARNING_RATE = 0.05;
    static final long SEED = 42;

    /** The accumulator that brings the stamped round ends back ({@link AccumulatedResults}). */
    private static final String ROUND_ENDS = "round-ends";

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
        DataStream<Tuple6<Integer, Double, Long, Long, Long, Long>> timed =
                model.getLosses()
                        .map(new StampRoundEnd())
                        .returns(
                                Types.TUPLE(
                                        Types.INT,
                                        Types.DOUBLE,
                                        Types.LONG,
                                        Types.LONG,
                                        Types.LONG,
                                        Types.LONG))
                        .setParallelism(1)
                        .name("stamp round end");
        AccumulatedResults.keep(timed, ROUND_ENDS);
        long start = System.nanoTime();
        JobExecutionResult result = env.execute("w5");
        long wallMs = (System.nanoTime() - start) / 1_000_000;
        long netRuntime = result.getNetRuntime();
        List<Tuple6<Integer, Double, Long, Long, Long, Long>> ends =
                new ArrayList<>(AccumulatedResults.of(result, ROUND_ENDS));
        ends.sort((a, b) -> Integer.compare(a.f0, b.f0));
        if (ends.size() < 2) {
            throw new IllegalStateException("w5 needs at least 2 rounds, got " + ends.size());
        }
        Tuple6<Integer, Double, Long, Long, Long, Long> first = ends.get(0);
        Tuple6<Integer, Double, Long, Long, Long, Long> last = ends.get(ends.size() - 1);
        long rowsTimed = 0;
        for (Tuple6<Integer, Double, Long, Long, Long, Long> end : ends.subList(1, ends.size())) {
            rowsTimed += end.f2;
        }
        return figures(
                        new RunResult(
                                "w5", env.getParallelism(), rounds, wallMs, netRuntime, last.f1),
                        ends.size() - 1,
                        rowsTimed,
                        last.f3 - first.f3,
                        last.f1)
                .with("trainerCpuMs", (last.f5 - first.f5) / 1e6)
                .with("processCpuMs", (last.f4 - first.f4) / 1e6);
    }

    /**
     * W5's limit: {@code sessions} TF sessions at once, each in a thread of its own on its share of
     * the rows (contiguous, as even as the rows allow), the same steps in a plain Java loop, no
     * Flink. One session trains exactly the steps of {@code w5} at parallelism 1; two show what two
     * trainers could reach on this machine when nothing but TF runs. The rate counts the rows of
     * all sessions over the time from the end of the last session's warm-up round to the end of the
     * last session's last round; the final loss is the mean of the sessions' last-round losses,
     * weighted by their rows. The line also carries the CPU time the timed rounds used: {@code
     * trainerCpuMs} (the sessions' own threads, where TF runs its ops) and {@code processCpuMs}
     * (the whole JVM, TF's own threads included).
     */
    static RunResult runSession(int rows, int rounds, int sessions) throws Exception {
        return runSession(rows(rows), rounds, sessions);
    }

    /** {@link #runSession(int, int, int)} on the given rows (as {@link #rows} makes them). */
    static RunResult runSession(List<Row> data, int rounds, int sessions) throws Exception {
        int rows = data.size();
        if (sessions < 1 || sessions > rows) {
            throw new IllegalArgumentException(
                    "w5-session needs between 1 and " + rows + " sessions, got " + sessions);
        }
        float[] features = new float[rows * FEATURES];
        float[] labels = new float[rows];
        for (int r = 0; r < rows; r++) {
            Row row = data.get(r);
            for (int f = 0; f < FEATURES; f++) {
                features[r * FEATURES + f] = (Float) row.getField(f);
            }
            labels[r] = (Integer) row.getField(FEATURES);
        }
        long start = System.nanoTime();
        // Every session has finished its warm-up round before the timed rounds start.
        CyclicBarrier warmedUp = new CyclicBarrier(sessions);
        List<SessionLoop> loops = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            int from = (int) ((long) rows * s / sessions);
            int to = (int) ((long) rows * (s + 1) / sessions);
            loops.add(new SessionLoop(features, labels, from, to, rounds, warmedUp));
        }
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            Thread thread = new Thread(loops.get(s), "w5-session-" + s);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        long timedFrom = Long.MIN_VALUE;
        long timedTo = Long.MIN_VALUE;
        long cpuFrom = Long.MAX_VALUE;
        long cpuTo = Long.MIN_VALUE;
        long threadCpu = 0;
        double lossSum = 0;
        for (SessionLoop loop : loops) {
            // A session that fails breaks the barrier for the others: report its own failure.
            if (loop.failure != null && !(loop.failure instanceof BrokenBarrierException)) {
                throw new IllegalStateException("a w5 session failed", loop.failure);
            }
        }
        for (SessionLoop loop : loops) {
            if (loop.failure != null) {
                throw new IllegalStateException("a w5 session failed", loop.failure);
            }
            timedFrom = Math.max(timedFrom, loop.warmedUpAt);
            timedTo = Math.max(timedTo, loop.endedAt);
            cpuFrom = Math.min(cpuFrom, loop.processCpuAtWarmUp);
            cpuTo = Math.max(cpuTo, loop.processCpuAtEnd);
            threadCpu += loop.threadCpuNanos;
            lossSum += loop.lastLoss * (loop.to - loop.from);
        }
        double lastLoss = lossSum / rows;
        long wallMs = (System.nanoTime() - start) / 1_000_000;
        return figures(
                        new RunResult("w5-session", sessions, rounds, wallMs, wallMs, lastLoss),
                        rounds - 1,
                        (long) rows * (rounds - 1),
                        timedTo - timedFrom,
                        lastLoss)
                .with("trainerCpuMs", threadCpu / 1e6)
                .with("processCpuMs", (cpuTo - cpuFrom) / 1e6);
    }

    /** CPU time of the whole JVM so far, in ns: every thread, TF's native ones included. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** One session's loop over its rows {@code [from, to)}, in batches of {@code BATCH}. */
    private static final class SessionLoop implements Runnable {
        final float[] features;
        final float[] labels;
        final int from;
        final int to;
        final int rounds;
        final CyclicBarrier warmedUp;
        long warmedUpAt;
        long endedAt;
        long processCpuAtWarmUp;
        long processCpuAtEnd;
        long threadCpuNanos;
        double lastLoss = Double.NaN;
        Throwable failure;

        SessionLoop(
                float[] features,
                float[] labels,
                int from,
                int to,
                int rounds,
                CyclicBarrier warmedUp) {
            this.features = features;
            this.labels = labels;
            this.from = from;
            this.to = to;
            this.rounds = rounds;
            this.warmedUp = warmedUp;
        }

        @Override
        public void run() {
            ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
            float[] batchFeatures = new float[BATCH * FEATURES];
            float[] batchLabels = new float[BATCH];
            try (ModelSession session =
                    ModelSession.open(
                            ModelSource.of(new MultiLayerPerceptronDefinition(SEED, HIDDEN)),
                            FEATURES,
                            OptimizerType.GRADIENT_DESCENT,
                            (float) LEARNING_RATE)) {
                long threadCpuAtWarmUp = 0;
                for (int round = 0; round < rounds; round++) {
                    double lossSum = 0;
                    for (int first = from; first < to; first += BATCH) {
                        int n = Math.min(BATCH, to - first);
                        System.arraycopy(
                                features, first * FEATURES, batchFeatures, 0, n * FEATURES);
                        System.arraycopy(labels, first, batchLabels, 0, n);
                        lossSum += (double) session.trainBatch(batchFeatures, batchLabels, n) * n;
                    }
                    lastLoss = lossSum / (to - from);
                    if (round == 0) {
                        warmedUp.await();
                        warmedUpAt = System.nanoTime();
                        processCpuAtWarmUp = processCpuNanos();
                        threadCpuAtWarmUp = cpu.getCurrentThreadCpuTime();
                    }
                }
                endedAt = System.nanoTime();
                processCpuAtEnd = processCpuNanos();
                threadCpuNanos = cpu.getCurrentThreadCpuTime() - threadCpuAtWarmUp;
            } catch (Throwable e) {
                failure = e;
                warmedUp.reset(); // no other session waits for this one forever
            }
        }
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

    /**
     * (round, loss, rows, System.nanoTime() when the round's loss passed, the JVM's CPU time then,
     * the trainers' threads' CPU time then). The local cluster runs in this JVM, so the trainers'
     * task threads are among its threads; their names start with the train operator's.
     */
    private static final class StampRoundEnd
            implements MapFunction<RoundLoss, Tuple6<Integer, Double, Long, Long, Long, Long>> {
        @Override
        public Tuple6<Integer, Double, Long, Long, Long, Long> map(RoundLoss loss) {
            long now = System.nanoTime();
            return Tuple6.of(
                    loss.round, loss.loss, loss.rows, now, processCpuNanos(), trainerCpuNanos());
        }
    }

    /** CPU time so far of the JVM's threads whose names start with "tf: train". */
    static long trainerCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("tf: train")) {
                sum += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return sum;
    }
}
