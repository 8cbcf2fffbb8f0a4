package io.github.flinkiteration.tf.runtime;

import org.apache.flink.api.java.functions.KeySelector;

/** The sequence number of an example, the key {@link BySequence} partitions by. */
public final class ExampleSequence implements KeySelector<TrainingExample, Long> {

    @Override
    public Long getKey(TrainingExample example) {
        return example.sequence;
    }
}
