package io.github.flinkiteration.tf.runtime;

import org.apache.flink.api.common.functions.Partitioner;

/** Deals rows to the trainers in turn by sequence number: the same split in every run. */
public final class BySequence implements Partitioner<Long> {

    @Override
    public int partition(Long sequence, int numPartitions) {
        return (int) Math.floorMod(sequence, (long) numPartitions);
    }
}
