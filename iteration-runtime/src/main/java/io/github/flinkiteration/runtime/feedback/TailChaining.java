package io.github.flinkiteration.runtime.feedback;

import java.util.Optional;
import org.apache.flink.api.common.operators.SlotSharingGroup;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.graph.StreamGraphGenerator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.api.transformations.PartitionTransformation;
import org.apache.flink.streaming.api.transformations.SideOutputTransformation;

/**
 * Decides whether a tail may be chained to the operator that produces its feedback.
 *
 * <p>Chained, the tail runs in the same task as its head: feedback is handed over without
 * serialization and without waking another thread. But Flink applies a co-location group only to
 * the first operator of a chain, so a tail chained into some other chain could be scheduled away
 * from its head. The tail is therefore chained only when the whole path from the feedback stream
 * back to the head is certain to be one chain under Flink's rules: one-input operators only (an
 * operator with two inputs always starts a chain), forward edges, the head's parallelism and slot
 * sharing group, and {@link ChainingStrategy#ALWAYS}. Anything else keeps the tail at the head of
 * its own chain, co-located with the head.
 */
public final class TailChaining {

    private TailChaining() {}

    public static boolean joinsHeadChain(
            Transformation<?> feedback, Transformation<?> head, boolean chainingEnabled) {
        if (!chainingEnabled) {
            return false;
        }
        Transformation<?> current = feedback;
        while (current != head) {
            if (current instanceof SideOutputTransformation) {
                // Virtual: the edge runs from the operator that emits the side output.
                current = current.getInputs().get(0);
                continue;
            }
            if (current instanceof PartitionTransformation<?> partition
                    && partition.getPartitioner() == null) {
                // Only marks the edge's exchange mode (pipelined, in a BATCH job); partitioning
                // and chaining are Flink's defaults, as without it.
                current = current.getInputs().get(0);
                continue;
            }
            if (!(current instanceof OneInputTransformation)) {
                return false;
            }
            OneInputTransformation<?, ?> operator = (OneInputTransformation<?, ?>) current;
            if (operator.getParallelism() != head.getParallelism()
                    || operator.getOperatorFactory().getChainingStrategy()
                            != ChainingStrategy.ALWAYS
                    || !inDefaultSlotSharingGroup(operator)) {
                return false;
            }
            current = operator.getInputs().get(0);
        }
        return true;
    }

    private static boolean inDefaultSlotSharingGroup(Transformation<?> transformation) {
        Optional<SlotSharingGroup> group = transformation.getSlotSharingGroup();
        return group.isEmpty()
                || StreamGraphGenerator.DEFAULT_SLOT_SHARING_GROUP.equals(group.get().getName());
    }
}
