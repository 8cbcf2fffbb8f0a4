package io.github.flinkiteration.tf.runtime;

/**
 * One input row as the trainers see it: its features and label as floats, and a sequence number
 * (per upstream subtask) that spreads rows over the trainers in a fixed way. A Flink POJO.
 */
public class TrainingExample {

    public long sequence;
    public float[] features;
    public float label;

    public TrainingExample() {}

    public TrainingExample(long sequence, float[] features, float label) {
        this.sequence = sequence;
        this.features = features;
        this.label = label;
    }
}
