package io.github.flinkiteration.tf;

import io.github.flinkiteration.tf.params.RemainderPolicy;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.types.Row;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.framework.optimizers.GradientDescent;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The reference for the p = 1 tests: logistic regression trained by a plain TF Java loop, written
 * here by hand (not with the module's builders), over the same mini-batches in the same order. Its
 * batching, remainder policies included, is its own code too.
 */
final class PlainTfLogisticRegression {

    final float[] weights;
    final float bias;
    final List<Double> roundLosses;
    final List<Long> roundRows;

    private PlainTfLogisticRegression(
            float[] weights, float bias, List<Double> roundLosses, List<Long> roundRows) {
        this.weights = weights;
        this.bias = bias;
        this.roundLosses = roundLosses;
        this.roundRows = roundRows;
    }

    static PlainTfLogisticRegression train(
            List<Row> rows, int rounds, int batchSize, float learningRate, RemainderPolicy policy) {
        return trainAveraged(rows, 1, rounds, batchSize, learningRate, policy);
    }

    /**
     * Synchronous data-parallel training simulated in one session: row i belongs to partition i mod
     * {@code partitions}; in every round each partition trains from the same weights over its rows,
     * then the weights are averaged, weighted by the rows each partition trained on.
     */
    static PlainTfLogisticRegression trainAveraged(
            List<Row> rows,
            int partitions,
            int rounds,
            int batchSize,
            float learningRate,
            RemainderPolicy policy) {
        int n = BlobData.DIMENSIONS;
        List<List<List<Row>>> partitionBatches = new ArrayList<>();
        for (int k = 0; k < partitions; k++) {
            List<Row> partition = new ArrayList<>();
            for (int i = k; i < rows.size(); i += partitions) {
                partition.add(rows.get(i));
            }
            partitionBatches.add(batches(partition, batchSize, policy));
        }
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            Placeholder<TFloat32> x =
                    tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, n)));
            Placeholder<TFloat32> y =
                    tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 1)));
            Variable<TFloat32> w = tf.variable(tf.constant(new float[n][1]));
            Variable<TFloat32> b = tf.variable(tf.constant(new float[1]));
            Placeholder<TFloat32> newW =
                    tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(n, 1)));
            Placeholder<TFloat32> newB =
                    tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(1)));
            Op setW = tf.assign(w, newW);
            Op setB = tf.assign(b, newB);
            Operand<TFloat32> z = tf.math.add(tf.linalg.matMul(x, w), b);
            Operand<TFloat32> loss =
                    tf.math.mean(
                            tf.math.add(
                                    tf.math.sub(
                                            tf.math.maximum(z, tf.constant(0f)), tf.math.mul(z, y)),
                                    tf.math.log1p(tf.math.exp(tf.math.neg(tf.math.abs(z))))),
                            tf.constant(new int[] {0, 1}));
            Op train = new GradientDescent(graph, learningRate).minimize(loss);
            List<Double> losses = new ArrayList<>();
            List<Long> rowCounts = new ArrayList<>();
            float[] weights = new float[n];
            float bias = 0;
            try (Session session = new Session(graph)) {
                session.initialize();
                for (int round = 0; round < rounds; round++) {
                    double lossSum = 0;
                    long trained = 0;
                    double[] weightSums = new double[n];
                    double biasSum = 0;
                    for (List<List<Row>> batches : partitionBatches) {
                        try (TFloat32 wt =
                                        TFloat32.tensorOf(Shape.of(n, 1), DataBuffers.of(weights));
                                TFloat32 bt =
                                        TFloat32.tensorOf(Shape.of(1), DataBuffers.of(bias))) {
                            session.runner()
                                    .feed(newW, wt)
                                    .feed(newB, bt)
                                    .addTarget(setW)
                                    .addTarget(setB)
                                    .run()
                                    .close();
                        }
                        long partitionRows = 0;
                        for (List<Row> batch : batches) {
                            lossSum +=
                                    step(session, x, y, loss, train, batch) * (double) batch.size();
                            partitionRows += batch.size();
                        }
                        try (Result result = session.runner().fetch(w).fetch(b).run()) {
                            float[] trainedW = new float[n];
                            ((TFloat32) result.get(0))
                                    .copyTo(DataBuffers.of(trainedW, false, false));
                            for (int j = 0; j < n; j++) {
                                weightSums[j] += (double) trainedW[j] * partitionRows;
                            }
                            biasSum +=
                                    (double) ((TFloat32) result.get(1)).getFloat(0) * partitionRows;
                        }
                        trained += partitionRows;
                    }
                    for (int j = 0; j < n; j++) {
                        weights[j] = (float) (weightSums[j] / trained);
                    }
                    bias = (float) (biasSum / trained);
                    losses.add(lossSum / trained);
                    rowCounts.add(trained);
                }
            }
            return new PlainTfLogisticRegression(weights, bias, losses, rowCounts);
        }
    }

    private static float step(
            Session session,
            Placeholder<TFloat32> x,
            Placeholder<TFloat32> y,
            Operand<TFloat32> loss,
            Op train,
            List<Row> batch) {
        int n = BlobData.DIMENSIONS;
        float[] features = new float[batch.size() * n];
        float[] labels = new float[batch.size()];
        for (int r = 0; r < batch.size(); r++) {
            System.arraycopy(BlobData.features(batch.get(r)), 0, features, r * n, n);
            labels[r] = BlobData.label(batch.get(r));
        }
        try (TFloat32 xt = TFloat32.tensorOf(Shape.of(batch.size(), n), DataBuffers.of(features));
                TFloat32 yt = TFloat32.tensorOf(Shape.of(batch.size(), 1), DataBuffers.of(labels));
                Result result =
                        session.runner()
                                .feed(x, xt)
                                .feed(y, yt)
                                .fetch(loss)
                                .addTarget(train)
                                .run()) {
            return ((TFloat32) result.get(0)).getFloat();
        }
    }

    /** Consecutive batches of {@code size}; the last, short one as the policy says. */
    static List<List<Row>> batches(List<Row> rows, int size, RemainderPolicy policy) {
        List<List<Row>> batches = new ArrayList<>();
        for (int start = 0; start < rows.size(); start += size) {
            List<Row> batch =
                    new ArrayList<>(rows.subList(start, Math.min(rows.size(), start + size)));
            if (batch.size() < size) {
                if (policy == RemainderPolicy.DROP) {
                    continue;
                }
                if (policy == RemainderPolicy.PAD) {
                    int real = batch.size();
                    for (int i = 0; batch.size() < size; i++) {
                        batch.add(batch.get(i % real));
                    }
                }
            }
            batches.add(batch);
        }
        return batches;
    }
}
