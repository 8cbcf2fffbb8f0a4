package io.github.flinkiteration.tf.runtime;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One input row as the trainers see it: its features and label as floats, and a sequence number
 * (per upstream subtask) that spreads rows over the trainers in a fixed way. Serialized by {@link
 * TrainingExampleSerializer} (the iteration reads every row back in every round).
 */
@TypeInfo(TrainingExampleTypeInfo.Factory.class)
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
