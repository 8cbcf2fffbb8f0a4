package io.github.flinkiteration.flinkml.ports;

import io.github.flinkiteration.flinkml.common.datastream.DataStreamUtils;
import org.apache.flink.api.common.functions.ReduceFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * flink-ml-lib's binary logistic regression on this module: checks the labels, finds the number of
 * features with {@link DataStreamUtils#reduce}, starts from the zero model and trains it with
 * {@link SGD} on {@link BinaryLogisticLoss}. flink-ml's reads a Table and wraps the coefficients in
 * its model data; this one takes and returns DataStreams.
 *
 * <pre>{@code
 * DataStream<DenseVector> coefficients =
 *         new LogisticRegression().setMaxIter(20).setGlobalBatchSize(400).fit(examples);
 * }</pre>
 */
public class LogisticRegression {

    private int maxIter = 20;
    private double learningRate = 0.1;
    private int globalBatchSize = 32;
    private double tol = 1e-6;
    private double reg = 0;
    private double elasticNet = 0;

    public LogisticRegression setMaxIter(int maxIter) {
        this.maxIter = maxIter;
        return this;
    }

    public LogisticRegression setLearningRate(double learningRate) {
        this.learningRate = learningRate;
        return this;
    }

    public LogisticRegression setGlobalBatchSize(int globalBatchSize) {
        this.globalBatchSize = globalBatchSize;
        return this;
    }

    public LogisticRegression setTol(double tol) {
        this.tol = tol;
        return this;
    }

    public LogisticRegression setReg(double reg) {
        this.reg = reg;
        return this;
    }

    public LogisticRegression setElasticNet(double elasticNet) {
        this.elasticNet = elasticNet;
        return this;
    }

    /** Trains on {@code examples}, whose labels are 0 or 1; one coefficient vector out. */
    public DataStream<DenseVector> fit(DataStream<LabeledPointWithWeight> examples) {
        DataStream<LabeledPointWithWeight> trainData =
                examples.map(
                                point -> {
                                    if (point.label != 0 && point.label != 1) {
                                        throw new IllegalArgumentException(
                                                "Binary logistic regression takes labels 0 and 1,"
                                                        + " not "
                                                        + point.label
                                                        + ".");
                                    }
                                    return point;
                                },
                                examples.getType())
                        .setParallelism(examples.getParallelism());

        DataStream<DenseVector> initModelData =
                DataStreamUtils.reduce(
                                trainData.map(x -> x.getFeatures().size(), Types.INT),
                                (ReduceFunction<Integer>)
                                        (a, b) -> {
                                            if (!a.equals(b)) {
                                                throw new IllegalArgumentException(
                                                        "The training data should all have the"
                                                                + " same number of features.");
                                            }
                                            return a;
                                        })
                        .map(DenseVector::new, KMeans.VECTOR);

        return new SGD(maxIter, learningRate, globalBatchSize, tol, reg, elasticNet)
                .optimize(initModelData, trainData, BinaryLogisticLoss.INSTANCE);
    }
}
