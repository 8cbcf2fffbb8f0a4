package io.github.flinkiteration.flinkml.ports;

import java.util.ArrayList;
import java.util.List;

/**
 * Mini-batch SGD on the logistic loss in plain, sequential Java: what {@link LogisticRegression}
 * computes, written from the algorithm's definition. The data is split as a round-robin exchange
 * splits a stream read in index order: part {@code c} of {@code p} holds the records {@code i ≡ c
 * (mod p)}, in order. Each epoch every part contributes its next {@code globalBatchSize / p}
 * records (fewer at its end, then it starts over); the model moves by the learning rate times the
 * mean gradient, then the elastic-net step; training stops after {@code maxIter} epochs or after an
 * epoch whose mean loss is at most {@code tol}.
 */
final class SgdReference {

    /** The trained model and how many epochs it took. */
    static final class Result {
        final double[] coefficients;
        final int epochs;

        Result(double[] coefficients, int epochs) {
            this.coefficients = coefficients;
            this.epochs = epochs;
        }
    }

    private SgdReference() {}

    static Result train(
            List<LabeledPointWithWeight> records,
            int parts,
            int globalBatchSize,
            int maxIter,
            double learningRate,
            double tol,
            double reg,
            double elasticNet) {
        if (globalBatchSize % parts != 0) {
            // Otherwise the batch of a part depends on which subtask got it.
            throw new IllegalArgumentException("The batch size must divide among the parts.");
        }
        int batch = globalBatchSize / parts;
        List<List<LabeledPointWithWeight>> split = new ArrayList<>();
        for (int c = 0; c < parts; c++) {
            split.add(new ArrayList<>());
        }
        for (int i = 0; i < records.size(); i++) {
            split.get(i % parts).add(records.get(i));
        }
        int dims = records.get(0).features.size();
        double[] w = new double[dims];
        int[] offsets = new int[parts];
        for (int epoch = 0; ; epoch++) {
            double[] gradient = new double[dims];
            double loss = 0;
            double weight = 0;
            for (int c = 0; c < parts; c++) {
                List<LabeledPointWithWeight> part = split.get(c);
                if (part.isEmpty()) {
                    continue;
                }
                int end = Math.min(offsets[c] + batch, part.size());
                for (LabeledPointWithWeight point : part.subList(offsets[c], end)) {
                    double margin = 0;
                    for (int j = 0; j < dims; j++) {
                        margin += w[j] * point.features.values[j];
                    }
                    double y = point.label == 1 ? 1 : -1;
                    loss += point.weight * Math.log1p(Math.exp(-y * margin));
                    double scale = -point.weight * y / (1 + Math.exp(y * margin));
                    for (int j = 0; j < dims; j++) {
                        gradient[j] += scale * point.features.values[j];
                    }
                    weight += point.weight;
                }
                offsets[c] = offsets[c] + batch >= part.size() ? 0 : offsets[c] + batch;
            }
            if (weight > 0) {
                for (int j = 0; j < dims; j++) {
                    w[j] -= learningRate / weight * gradient[j];
                }
                shrink(w, reg, elasticNet, learningRate);
            }
            if (epoch + 1 >= maxIter || loss / weight <= tol) {
                return new Result(w, epoch + 1);
            }
        }
    }

    /** Ridge shrinkage, then soft thresholding for the lasso part. */
    private static void shrink(double[] w, double reg, double elasticNet, double learningRate) {
        if (reg == 0) {
            return;
        }
        double lasso = learningRate * reg * elasticNet;
        double ridge = 1 - learningRate * reg * (1 - elasticNet);
        for (int j = 0; j < w.length; j++) {
            double v = w[j] * ridge;
            w[j] = v > lasso ? v - lasso : v < -lasso ? v + lasso : 0;
        }
    }
}
