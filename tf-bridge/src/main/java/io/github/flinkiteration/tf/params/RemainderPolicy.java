package io.github.flinkiteration.tf.params;

/**
 * What a subtask does at the end of a round with the rows that do not fill a whole mini-batch.
 * Whatever the policy, the round ends: nothing waits for a batch to fill.
 */
public enum RemainderPolicy {
    /** Does not train on them in this round. */
    DROP,
    /** Fills the batch up to the batch size by repeating its rows from its first one. */
    PAD,
    /** Trains on a smaller last batch. */
    PARTIAL
}
