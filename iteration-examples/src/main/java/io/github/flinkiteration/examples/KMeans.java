package io.github.flinkiteration.examples;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.api.TerminationCondition;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.co.CoProcessFunction;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * K-means (Lloyd's algorithm) as a bounded iteration: the centroids are the variable, the points
 * are read once and kept by the assigning operator, and every round moves each centroid to the mean
 * of its points.
 *
 * <p>Run it on an embedded MiniCluster with {@code mvn -q -pl iteration-examples -am compile
 * exec:exec}; for other settings run this class with {@code --parallelism N --rounds R --points P}.
 * With {@code --output PATH} the result goes to that file instead of stdout, which is how it runs
 * on a Flink cluster; there the parallelism of the submission applies unless {@code --parallelism}
 * is given (embedded, the default is 2). Printing to stdout, it also prints a progress line per
 * round with the largest distance a centroid moved ({@link RoundProgress}). {@code
 * --checkpoint-interval-ms N} turns checkpointing on (see {@code Arguments#applyCheckpointing}).
 * {@code --start one-blob} starts from centroids that all lie in one blob ({@link
 * KMeansData#initialCentroidsInOneBlob()}), which keep moving for dozens of rounds; {@code
 * --round-pause-ms N} waits N ms after each round, so that a test can act in the middle of a run.
 * The iteration is named {@code kmeans}: the label of its metrics.
 */
public final class KMeans {

    private static final OutputTag<Centroids> FINAL =
            new OutputTag<>("final-centroids", TypeInformation.of(Centroids.class));

    private KMeans() {}

    /** Builds k-means over {@code points}, starting from {@code initial}, for {@code rounds}. */
    public static DataStream<Centroids> centroids(
            DataStream<Centroids> initial, DataStream<double[]> points, int rounds) {
        return build(initial, points, rounds, false, null, 0);
    }

    /**
     * The same k-means with the points bound as a constant: the iteration replays them into every
     * round, so the assigning operator keeps none of them. Gives the same centroids as {@link
     * #centroids}.
     */
    public static DataStream<Centroids> centroidsWithReplayedPoints(
            DataStream<Centroids> initial, DataStream<double[]> points, int rounds) {
        return build(initial, points, rounds, true, null, 0);
    }

    private static DataStream<Centroids> build(
            DataStream<Centroids> initial,
            DataStream<double[]> points,
            int rounds,
            boolean replayed,
            RoundProgress progress,
            int pauseMillis) {
        BoundedIteration iteration =
                new BoundedIteration().name("kmeans").bindVariable("centroids", initial);
        if (replayed) {
            iteration.bindConstant("points", points);
        } else {
            iteration.bindData("points", points);
        }
        return iteration
                .withBody(
                        (inputs, context) -> {
                            DataStream<Centroids> centroids = inputs.get("centroids");
                            DataStream<double[]> bodyPoints = inputs.get("points");
                            DataStream<PartialSums> partials =
                                    bodyPoints
                                            .connect(centroids.broadcast())
                                            .process(
                                                    replayed
                                                            ? new AssignReplayedPoints()
                                                            : new AssignToNearest())
                                            .name("assign points");
                            SingleOutputStreamOperator<Centroids> next =
                                    partials.process(new AverageCentroids(progress, pauseMillis))
                                            .setParallelism(1)
                                            .name("average centroids");
                            return IterationDeclaration.builder()
                                    .withFeedback("centroids", next)
                                    .withOutput("centroids", next.getSideOutput(FINAL))
                                    .until(TerminationCondition.maxRounds(rounds))
                                    .build();
                        })
                .apply()
                .get("centroids");
    }

    /** The points of the benchmark workload, generated in parallel from their index. */
    public static DataStream<double[]> points(StreamExecutionEnvironment env, int count) {
        return env.fromSequence(0, count - 1)
                .map(KMeansData::point)
                .returns(double[].class)
                .name("generate points");
    }

    public static void main(String[] args) throws Exception {
        int rounds = Arguments.intValue(args, "--rounds", 20);
        int pointCount = Arguments.intValue(args, "--points", KMeansData.DEFAULT_POINTS);
        String output = Arguments.stringValue(args, "--output");

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Arguments.applyParallelism(args, env);
        Arguments.applyCheckpointing(args, env);
        boolean oneBlob = "one-blob".equals(Arguments.stringValue(args, "--start"));
        int pauseMillis = Arguments.intValue(args, "--round-pause-ms", 0);
        DataStream<Centroids> initial =
                env.fromData(
                                oneBlob
                                        ? KMeansData.initialCentroidsInOneBlob()
                                        : KMeansData.initialCentroids())
                        .name("initial centroids");
        // Progress lines only where stdout is the user's: not when the result goes to a file.
        RoundProgress progress = output == null ? new RoundProgress(rounds, "shift") : null;
        DataStream<Centroids> result =
                build(initial, points(env, pointCount), rounds, false, progress, pauseMillis);

        if (output != null) {
            // A cluster may run the job detached: the result goes to a file, not to stdout.
            result.map(KMeans::report)
                    .name("report")
                    .setParallelism(1)
                    .sinkTo(new TextFileSink(output))
                    .name("write " + output)
                    .setParallelism(1);
            env.execute("k-means");
            return;
        }

        List<Centroids> centroids = new ArrayList<>();
        try (CloseableIterator<Centroids> collected = result.collectAsync()) {
            JobExecutionResult job = env.execute("k-means");
            collected.forEachRemaining(centroids::add);
            System.out.printf(
                    "k-means: %d points, %d rounds, parallelism %d, %d ms net runtime%n",
                    pointCount, rounds, env.getParallelism(), job.getNetRuntime());
        }
        System.out.print(report(centroids.get(centroids.size() - 1)));
    }

    /** The centroids, one per line, then their checksum with six decimals. */
    public static String report(Centroids centroids) {
        return centroids + String.format(Locale.ROOT, "checksum: %.6f%n", centroids.checksum());
    }

    /**
     * Keeps the points it receives in round 0; at the end of every round assigns them all to the
     * centroids of that round and emits the per-cluster sums. Points and centroids are in every
     * checkpoint: the points' source has ended by the time of a later failure and sends none again.
     */
    static final class AssignToNearest extends CoProcessFunction<double[], Centroids, PartialSums>
            implements IterationListener<PartialSums>, CheckpointedFunction {

        private transient List<double[]> points;
        private transient Centroids current;
        private transient ListState<double[]> storedPoints;
        private transient ListState<Centroids> storedCentroids;

        @Override
        public void processElement1(
                double[] point,
                CoProcessFunction<double[], Centroids, PartialSums>.Context ctx,
                Collector<PartialSums> out) {
            points.add(point);
        }

        @Override
        public void processElement2(
                Centroids centroids,
                CoProcessFunction<double[], Centroids, PartialSums>.Context ctx,
                Collector<PartialSums> out) {
            current = centroids;
        }

        @Override
        public void onRoundEnd(
                int round, IterationListener.Context context, Collector<PartialSums> out) {
            out.collect(current.assign(points));
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            storedPoints.update(points);
            storedCentroids.update(current == null ? List.of() : List.of(current));
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            storedPoints =
                    context.getOperatorStateStore()
                            .getListState(new ListStateDescriptor<>("points", double[].class));
            storedCentroids =
                    context.getOperatorStateStore()
                            .getListState(new ListStateDescriptor<>("centroids", Centroids.class));
            points = new ArrayList<>();
            storedPoints.get().forEach(points::add);
            for (Centroids centroids : storedCentroids.get()) {
                current = centroids;
            }
        }
    }

    /**
     * Assigns the points of each round as they come, with that round's centroids; points that
     * arrive before the round's centroids wait for them. At the end of the round emits the
     * per-cluster sums. The points come again in every round, replayed by the iteration.
     */
    static final class AssignReplayedPoints
            extends CoProcessFunction<double[], Centroids, PartialSums>
            implements IterationListener<PartialSums> {

        private final List<double[]> waiting = new ArrayList<>();
        private Centroids current;
        private double[][] sums;
        private long[] counts;

        @Override
        public void processElement1(
                double[] point,
                CoProcessFunction<double[], Centroids, PartialSums>.Context ctx,
                Collector<PartialSums> out) {
            if (current == null) {
                waiting.add(point);
            } else {
                assign(point);
            }
        }

        @Override
        public void processElement2(
                Centroids centroids,
                CoProcessFunction<double[], Centroids, PartialSums>.Context ctx,
                Collector<PartialSums> out) {
            current = centroids;
            sums = new double[centroids.values.length][KMeansData.DIMENSIONS];
            counts = new long[centroids.values.length];
            waiting.forEach(this::assign);
            waiting.clear();
        }

        private void assign(double[] point) {
            current.assign(point, sums, counts);
        }

        @Override
        public void onRoundEnd(
                int round, IterationListener.Context context, Collector<PartialSums> out) {
            out.collect(new PartialSums(sums, counts, current.values));
            current = null;
        }
    }

    /**
     * Adds up the partial sums of a round and emits the new centroids at its end; with a {@link
     * RoundProgress}, also reports how far the centroids moved. The sums of the round in progress
     * and the latest centroids are in every checkpoint: the partial sums received before it are not
     * sent again after a restore.
     */
    static final class AverageCentroids extends ProcessFunction<PartialSums, Centroids>
            implements IterationListener<Centroids>, CheckpointedFunction {

        private final RoundProgress progress;
        private final int pauseMillis;

        private transient double[][] sums;
        private transient long[] counts;
        private transient double[][] assignedWith;
        private transient Centroids latest;
        private transient ListState<PartialSums> storedSums;
        private transient ListState<Centroids> storedLatest;

        /**
         * @param pauseMillis how long to wait after each round, so that a test can observe a run in
         *     the middle; 0 normally
         */
        AverageCentroids(RoundProgress progress, int pauseMillis) {
            this.progress = progress;
            this.pauseMillis = pauseMillis;
        }

        @Override
        public void open(OpenContext openContext) {
            if (progress != null) {
                progress.start();
            }
        }

        @Override
        public void processElement(
                PartialSums partial,
                ProcessFunction<PartialSums, Centroids>.Context ctx,
                Collector<Centroids> out) {
            if (sums == null) {
                sums = new double[partial.sums.length][KMeansData.DIMENSIONS];
                counts = new long[partial.counts.length];
                assignedWith = partial.assignedWith;
            }
            for (int i = 0; i < sums.length; i++) {
                counts[i] += partial.counts[i];
                for (int j = 0; j < sums[i].length; j++) {
                    sums[i][j] += partial.sums[i][j];
                }
            }
        }

        @Override
        public void onRoundEnd(
                int round, IterationListener.Context context, Collector<Centroids> out) {
            double[][] next = new double[sums.length][];
            for (int i = 0; i < sums.length; i++) {
                if (counts[i] == 0) {
                    next[i] = assignedWith[i].clone();
                } else {
                    next[i] = new double[sums[i].length];
                    for (int j = 0; j < sums[i].length; j++) {
                        next[i][j] = sums[i][j] / counts[i];
                    }
                }
            }
            latest = new Centroids(next);
            sums = null;
            out.collect(latest);
            if (progress != null) {
                progress.roundEnded(round, largestShift(assignedWith, next));
            }
            if (pauseMillis > 0) {
                try {
                    Thread.sleep(pauseMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** The largest distance a centroid moved: 0 once k-means has converged. */
        private static double largestShift(double[][] before, double[][] after) {
            double largest = 0;
            for (int i = 0; i < before.length; i++) {
                double squared = 0;
                for (int j = 0; j < before[i].length; j++) {
                    double d = after[i][j] - before[i][j];
                    squared += d * d;
                }
                largest = Math.max(largest, Math.sqrt(squared));
            }
            return largest;
        }

        @Override
        public void onIterationTerminated(
                IterationListener.Context context, Collector<Centroids> out) {
            context.output(FINAL, latest);
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            storedSums.update(
                    sums == null
                            ? List.of()
                            : List.of(new PartialSums(sums, counts, assignedWith)));
            storedLatest.update(latest == null ? List.of() : List.of(latest));
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            storedSums =
                    context.getOperatorStateStore()
                            .getListState(new ListStateDescriptor<>("sums", PartialSums.class));
            storedLatest =
                    context.getOperatorStateStore()
                            .getListState(new ListStateDescriptor<>("latest", Centroids.class));
            for (PartialSums stored : storedSums.get()) {
                sums = stored.sums;
                counts = stored.counts;
                assignedWith = stored.assignedWith;
            }
            for (Centroids centroids : storedLatest.get()) {
                latest = centroids;
            }
        }
    }
}
