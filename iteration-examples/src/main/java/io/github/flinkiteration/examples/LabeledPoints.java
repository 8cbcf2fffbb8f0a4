package io.github.flinkiteration.examples;

import java.util.SplittableRandom;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The generated data of the online logistic regression: example {@code i} is a function of {@code
 * i} alone, so any subset can be regenerated anywhere. Features are uniform in [−1, 1]; the label
 * is the side of a fixed hyperplane after Gaussian noise, so about one example in ten is on the
 * "wrong" side and no model classifies all of them.
 */
public final class LabeledPoints {

    public static final int FEATURES = 10;

    private static final long SEED = 0x5DEECE66DL;
    private static final double BIAS = 0.2;
    private static final double NOISE = 0.3;

    private LabeledPoints() {}

    /** Example number {@code index} of the stream. */
    public static LabeledPoint generate(long index) {
        SplittableRandom random = new SplittableRandom(SEED ^ (index * 0x9E3779B97F4A7C15L));
        double[] features = new double[FEATURES];
        double margin = BIAS;
        for (int j = 0; j < FEATURES; j++) {
            features[j] = random.nextDouble(-1, 1);
            margin += trueWeight(j) * features[j];
        }
        margin += NOISE * gaussian(random);
        return new LabeledPoint(index, features, margin > 0 ? 1 : 0);
    }

    /** The examples {@code 0 … count − 1}, from one source subtask, in index order. */
    public static DataStream<LabeledPoint> stream(StreamExecutionEnvironment env, long count) {
        return env.fromSequence(0, count - 1)
                .setParallelism(1)
                .map(LabeledPoints::generate)
                .setParallelism(1)
                .name("generate labelled points");
    }

    private static double trueWeight(int feature) {
        double magnitude = 0.5 + 0.1 * feature;
        return feature % 2 == 0 ? magnitude : -magnitude;
    }

    private static double gaussian(SplittableRandom random) {
        // Box-Muller; 1 - u keeps the logarithm finite.
        double u = random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }
}
