package io.github.flinkiteration.tf.runtime;

import io.github.flinkiteration.tf.model.ModelWeights;

/** A trainer subtask's state in a checkpoint: everything it holds in the middle of a round. */
public class TrainerState {

    /** The session's variables, or {@code null} when this round's weights have not arrived. */
    public ModelWeights weights;

    /** Rows that arrived before this round's weights. */
    public TrainingExample[] waiting;

    /** Rows of the batch being filled. */
    public TrainingExample[] batch;

    public long rowsTrained;
    public double lossSum;

    public TrainerState() {}
}
