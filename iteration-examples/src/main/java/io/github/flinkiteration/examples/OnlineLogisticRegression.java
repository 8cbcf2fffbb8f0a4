package io.github.flinkiteration.examples;

import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.UnboundedIteration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.functions.Partitioner;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * Online logistic regression as an unbounded iteration: mini-batch gradient descent on a stream of
 * labelled examples. The model is the variable. Trainer subtasks compute the gradient of their
 * share of each mini-batch with the current model; one updater combines the shares, takes a step
 * and emits the next model version, which goes back to the trainers and out of the iteration at
 * once, while the stream keeps flowing.
 *
 * <pre>{@code
 * DataStream<LabeledPoint> points = ...;   // unbounded is fine
 * DataStream<ModelVersion> models =
 *         OnlineLogisticRegression.fit(points, LabeledPoints.FEATURES, 1_000, 0.5);
 * }</pre>
 *
 * <p>Mini-batch {@code k} is made of the examples with index in {@code [k·B, (k + 1)·B)}, whatever
 * order they arrive in, so the model versions are the same on every run and at every parallelism.
 *
 * <p>Run it on an embedded MiniCluster with {@code mvn -q -pl iteration-examples -am compile
 * exec:exec -Dexample.class=io.github.flinkiteration.examples.OnlineLogisticRegression}; for other
 * settings run this class with {@code --parallelism N --points P --batch B}; {@code --output PATH}
 * writes every model version to a file instead, for a job submitted to a cluster. {@code
 * --checkpoint-interval-ms N} turns checkpointing on (see {@code Arguments#applyCheckpointing}).
 */
public final class OnlineLogisticRegression {

    /** The step size of the example's {@code main}. */
    public static final double LEARNING_RATE = 0.5;

    private OnlineLogisticRegression() {}

    /**
     * Trains on {@code points}, starting from the all-zero model, and returns every model version
     * after the first, in version order. Trainers run at the environment's parallelism.
     */
    public static DataStream<ModelVersion> fit(
            DataStream<LabeledPoint> points, int features, int batchSize, double learningRate) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, not " + batchSize);
        }
        StreamExecutionEnvironment env = points.getExecutionEnvironment();
        int trainers = env.getParallelism();
        DataStream<ModelVersion> initial =
                env.fromData(ModelVersion.initial(features)).name("initial model");
        return new UnboundedIteration()
                .bindVariable("model", initial)
                .bindData("points", points)
                .withBody(
                        (inputs, context) -> {
                            DataStream<ModelVersion> model = inputs.get("model");
                            DataStream<LabeledPoint> examples = inputs.get("points");
                            DataStream<Gradient> gradients =
                                    examples.partitionCustom(new ByIndex(), point -> point.index)
                                            .connect(model.broadcast())
                                            .process(new MiniBatchTrainer(batchSize))
                                            .setParallelism(trainers)
                                            .name("mini-batch gradients");
                            DataStream<ModelVersion> next =
                                    gradients
                                            .connect(model)
                                            .process(new ModelUpdater(trainers, learningRate))
                                            .setParallelism(1)
                                            .name("update model");
                            return IterationDeclaration.builder()
                                    .withFeedback("model", next)
                                    .withOutput("models", next)
                                    .build();
                        })
                .apply()
                .get("models");
    }

    public static void main(String[] args) throws Exception {
        int pointCount = Arguments.intValue(args, "--points", 100_000);
        int batchSize = Arguments.intValue(args, "--batch", 1_000);
        String output = Arguments.stringValue(args, "--output");

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Arguments.applyParallelism(args, env);
        Arguments.applyCheckpointing(args, env);
        DataStream<ModelVersion> models =
                fit(
                        LabeledPoints.stream(env, pointCount),
                        LabeledPoints.FEATURES,
                        batchSize,
                        LEARNING_RATE);

        if (output != null) {
            // A cluster may run the job detached: the versions go to a file, not to stdout.
            models.map(OnlineLogisticRegression::report)
                    .name("report")
                    .setParallelism(1)
                    .sinkTo(new TextFileSink(output))
                    .name("write " + output)
                    .setParallelism(1);
            env.execute("online logistic regression");
            return;
        }

        // Held-out examples, far beyond the training indices.
        List<LabeledPoint> test = new ArrayList<>();
        for (long i = 0; i < 10_000; i++) {
            test.add(LabeledPoints.generate(1L << 40 | i));
        }
        System.out.printf(
                "online logistic regression: %d points, mini-batches of %d, parallelism %d%n",
                pointCount, batchSize, env.getParallelism());
        try (CloseableIterator<ModelVersion> versions = models.executeAndCollect()) {
            while (versions.hasNext()) {
                ModelVersion model = versions.next();
                if (model.version == 1 || model.version % 10 == 0 || !versions.hasNext()) {
                    System.out.printf(
                            "version %4d: accuracy %.4f%n", model.version, accuracy(model, test));
                }
            }
        }
    }

    /** One line per model version: {@code version v: [w0, w1, …]}, at full precision. */
    static String report(ModelVersion model) {
        return "version " + model.version + ": " + Arrays.toString(model.weights) + "\n";
    }

    /** The share of {@code points} that {@code model} classifies correctly. */
    public static double accuracy(ModelVersion model, List<LabeledPoint> points) {
        long correct = points.stream().filter(model::classifies).count();
        return (double) correct / points.size();
    }

    /** Sends example {@code i} to trainer {@code i % parallelism}. */
    private static final class ByIndex implements Partitioner<Long> {
        @Override
        public int partition(Long index, int partitions) {
            return (int) (index % partitions);
        }
    }
}
