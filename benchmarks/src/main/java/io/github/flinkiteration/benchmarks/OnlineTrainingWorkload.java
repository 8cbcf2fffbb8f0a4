package io.github.flinkiteration.benchmarks;

import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.UnboundedIteration;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.accumulators.LongMinimum;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.co.CoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * W4 of ../shared/BENCHMARKS.md: asynchronous online logistic regression as an unbounded iteration
 * over a bounded generated stream. Each trainer subtask turns its own 1,000 records into a mean
 * gradient, computed with the newest model it has, never waiting; a parallelism-1 updater applies
 * it and feeds the new model back and out.
 *
 * <p>Latency: the map that generates a record (before the iteration input) stamps it with {@link
 * System#nanoTime()}; a batch's gradient and then its model carry the stamp of the batch's last
 * record, and a map after the output takes the difference. The whole job runs in this JVM's local
 * cluster, so the clocks agree.
 */
final class OnlineTrainingWorkload {

    static final long DEFAULT_RECORDS = 2_000_000L;
    static final int BATCH = 1_000;
    static final double LEARNING_RATE = 0.1;
    static final int FEATURES = 10;
    static final double[] TRUE_WEIGHTS = {1, -1, 0.5, -0.5, 2, -2, 0.25, -0.25, 1.5, -1.5};

    /** The accumulator that brings the measured models back ({@link AccumulatedResults}). */
    private static final String MODELS = "models";

    /** Latency percentiles cover the versions from this one to the last. */
    static final int FIRST_MEASURED_VERSION = 101;

    private OnlineTrainingWorkload() {}

    static RunResult run(StreamExecutionEnvironment env, long records) throws Exception {
        int trainers = env.getParallelism();
        DataStream<Example> examples =
                env.fromSequence(0, records - 1).map(new Stamp()).name("stamp");
        DataStream<Model> initial =
                env.fromData(new Model(0, new double[FEATURES], 0)).name("initial model");
        DataStream<Measured> measured =
                new UnboundedIteration()
                        .bindVariable("model", initial)
                        .bindData("examples", examples)
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Model> model = inputs.get("model");
                                    DataStream<Example> data = inputs.get("examples");
                                    DataStream<Gradient> gradients =
                                            data.connect(model.broadcast())
                                                    .process(new Trainer())
                                                    .setParallelism(trainers)
                                                    .name("trainer");
                                    DataStream<Model> next =
                                            gradients
                                                    .process(new Updater())
                                                    .setParallelism(1)
                                                    .name("updater");
                                    return IterationDeclaration.builder()
                                            .withFeedback("model", next)
                                            .withOutput("models", next)
                                            .build();
                                })
                        .apply()
                        .<Model>get("models")
                        .map(Measured::of)
                        .setParallelism(1)
                        .name("measure");
        AccumulatedResults.keep(measured, MODELS);

        long beforeSubmission = System.nanoTime();
        // Throughput counts from the job's submission, not from the local cluster's start.
        JobClient job = env.executeAsync("w4");
        long submitted = System.nanoTime();
        JobExecutionResult result = job.getJobExecutionResult().get();
        long wallMs = (System.nanoTime() - beforeSubmission) / 1_000_000;
        long netRuntimeMs = result.getNetRuntime();
        List<Measured> versions = new ArrayList<>(AccumulatedResults.<Measured>of(result, MODELS));
        if (versions.isEmpty()) {
            throw new IllegalStateException("w4 produced no model");
        }
        versions.sort(Comparator.comparingLong(version -> version.version));
        Measured last = versions.get(versions.size() - 1);
        List<Long> latencies = new ArrayList<>();
        for (Measured version : versions) {
            if (version.version >= FIRST_MEASURED_VERSION) {
                latencies.add(version.latencyNanos);
            }
        }
        Collections.sort(latencies);
        double accuracy = accuracy(last.weights, records, 10_000);
        double seconds = (last.measuredAtNanos - submitted) / 1e9;
        // As the peers' harness splits its span: up to the first record stamped, and after it.
        Long firstIn = result.getAccumulatorResult(Stamp.FIRST_IN);
        double processingSeconds = (last.measuredAtNanos - firstIn) / 1e9;
        return new RunResult("w4", trainers, versions.size(), wallMs, netRuntimeMs, accuracy)
                .with("recordsPerSecond", records / seconds)
                .with("startMs", (firstIn - submitted) / 1e6)
                .with("processingRecordsPerSecond", records / processingSeconds)
                .with("latencyP50Ms", percentile(latencies, 0.50) / 1e6)
                .with("latencyP99Ms", percentile(latencies, 0.99) / 1e6)
                .with("accuracy", accuracy);
    }

    /** Record {@code index} of the workload, stamped now. */
    static Example example(long index) {
        Random random = new Random(42 * 0x9E3779B97F4A7C15L + index);
        double[] x = new double[FEATURES];
        double margin = 0;
        for (int j = 0; j < FEATURES; j++) {
            x[j] = random.nextDouble() * 2 - 1;
            margin += TRUE_WEIGHTS[j] * x[j];
        }
        return new Example(x, margin > 0 ? 1 : 0, System.nanoTime());
    }

    /**
     * The map before the iteration input: makes and stamps each record, and keeps the first stamp
     * of its subtask in the accumulator {@link #FIRST_IN} (the earliest of all subtasks), which
     * splits the span into start-up and processing as the peers' harness does.
     */
    static final class Stamp extends RichMapFunction<Long, Example> {
        static final String FIRST_IN = "first-in";
        private final LongMinimum firstIn = new LongMinimum();
        private boolean first = true;

        @Override
        public void open(OpenContext openContext) {
            getRuntimeContext().addAccumulator(FIRST_IN, firstIn);
        }

        @Override
        public Example map(Long index) {
            Example e = example(index);
            if (first) {
                firstIn.add(e.stampNanos);
                first = false;
            }
            return e;
        }
    }

    /** The share of records {@code from … from + count − 1} that {@code weights} classify right. */
    static double accuracy(double[] weights, long from, int count) {
        int correct = 0;
        for (long i = from; i < from + count; i++) {
            Example e = example(i);
            boolean positive = dot(weights, e.x) > 0;
            if (positive == (e.label == 1)) {
                correct++;
            }
        }
        return (double) correct / count;
    }

    /** The nearest-rank percentile of sorted values; 0 if there are none. */
    static double percentile(List<Long> sorted, double quantile) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int rank = (int) Math.ceil(quantile * sorted.size());
        return sorted.get(Math.max(rank, 1) - 1);
    }

    private static double dot(double[] w, double[] x) {
        double z = 0;
        for (int j = 0; j < x.length; j++) {
            z += w[j] * x[j];
        }
        return z;
    }

    /** A labelled record with the time it was generated. */
    public static class Example {
        public double[] x;
        public double label;
        public long stampNanos;

        public Example() {}

        Example(double[] x, double label, long stampNanos) {
            this.x = x;
            this.label = label;
            this.stampNanos = stampNanos;
        }
    }

    /** The mean gradient of one trainer's batch, with the stamp of the batch's last record. */
    public static class Gradient {
        public double[] mean;
        public long stampNanos;

        public Gradient() {}

        Gradient(double[] mean, long stampNanos) {
            this.mean = mean;
            this.stampNanos = stampNanos;
        }
    }

    /** A model version, with the stamp of the last record of the batch that made it. */
    public static class Model {
        public long version;
        public double[] weights;
        public long stampNanos;

        public Model() {}

        Model(long version, double[] weights, long stampNanos) {
            this.version = version;
            this.weights = weights;
            this.stampNanos = stampNanos;
        }
    }

    /** A model version as measured after the output. */
    public static class Measured implements Serializable {
        private static final long serialVersionUID = 1L;

        public long version;
        public double[] weights;
        public long latencyNanos;
        public long measuredAtNanos;

        public Measured() {}

        static Measured of(Model model) {
            Measured m = new Measured();
            m.measuredAtNanos = System.nanoTime();
            m.version = model.version;
            m.weights = model.weights;
            m.latencyNanos = m.measuredAtNanos - model.stampNanos;
            return m;
        }
    }

    /** Batches its own records; the gradient of each uses the newest model at that record. */
    static final class Trainer extends CoProcessFunction<Example, Model, Gradient> {
        private double[] weights = new double[FEATURES];
        private final double[] sum = new double[FEATURES];
        private int count;

        @Override
        public void processElement1(Example e, Context ctx, Collector<Gradient> out) {
            double error = 1 / (1 + Math.exp(-dot(weights, e.x))) - e.label;
            for (int j = 0; j < FEATURES; j++) {
                sum[j] += error * e.x[j];
            }
            if (++count == BATCH) {
                double[] mean = new double[FEATURES];
                for (int j = 0; j < FEATURES; j++) {
                    mean[j] = sum[j] / BATCH;
                    sum[j] = 0;
                }
                count = 0;
                out.collect(new Gradient(mean, e.stampNanos));
            }
        }

        @Override
        public void processElement2(Model model, Context ctx, Collector<Gradient> out) {
            weights = model.weights;
        }
    }

    /** Applies every gradient as it comes and emits the new version. */
    static final class Updater extends ProcessFunction<Gradient, Model> {
        private final double[] weights = new double[FEATURES];
        private long version;

        @Override
        public void processElement(Gradient gradient, Context ctx, Collector<Model> out) {
            for (int j = 0; j < FEATURES; j++) {
                weights[j] -= LEARNING_RATE * gradient.mean[j];
            }
            out.collect(new Model(++version, weights.clone(), gradient.stampNanos));
        }
    }
}
