package io.github.flinkiteration.flinkml.ports;

/** A training example as flink-ml's optimizers take it: features, a label and a weight. */
public class LabeledPointWithWeight {

    public DenseVector features;
    public double label;
    public double weight;

    public LabeledPointWithWeight() {}

    public LabeledPointWithWeight(DenseVector features, double label, double weight) {
        this.features = features;
        this.label = label;
        this.weight = weight;
    }

    public DenseVector getFeatures() {
        return features;
    }

    public double getLabel() {
        return label;
    }

    public double getWeight() {
        return weight;
    }
}
