package io.github.flinkiteration.examples;

/** A training example of the online logistic regression: features and a 0/1 label. */
public class LabeledPoint {

    /** The position in the generated stream; it also decides the mini-batch of the example. */
    public long index;

    public double[] features;

    /** 1 for the positive class, 0 for the negative one. */
    public double label;

    public LabeledPoint() {}

    public LabeledPoint(long index, double[] features, double label) {
        this.index = index;
        this.features = features;
        this.label = label;
    }
}
