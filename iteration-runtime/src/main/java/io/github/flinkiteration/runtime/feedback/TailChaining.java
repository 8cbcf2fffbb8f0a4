package io.github.flinkiteration.runtime.feedback;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.operators.SlotSharingGroup;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.graph.StreamGraphGenerator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.streaming.api.transformations.AbstractMultipleInputTransformation;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.api.transformations.PartitionTransformation;
import org.apache.flink.streaming.api.transformations.SideOutputTransformation;
import org.apache.flink.streaming.api.transformations.SourceTransformation;
import org.apache.flink.streaming.api.transformations.StreamExchangeMode;
import org.apache.flink.streaming.api.transformations.TwoInputTransformation;
import org.apache.flink.streaming.api.transformations.UnionTransformation;
import org.apache.flink.streaming.runtime.partitioner.ForwardPartitioner;

/**
 * Decides where a tail is chained: into its head's chain, behind the operator that produces its
 * feedback, or nowhere.
 *
 * <p>Chained, the tail runs in the same task as the operator before it: feedback is handed over
 * without a network hop and without waking another thread. But the tail must run in its head's
 * slot, and Flink applies a co-location group only to the first operator of a chain; a tail chained
 * into some other chain could be scheduled away from its head. So:
 *
 * <ul>
 *   <li>{@link #joinsHeadChain}: when the whole path from the feedback stream back to the head is
 *       certain to be one chain under Flink's rules (one-input operators only, forward edges, the
 *       head's parallelism and slot sharing group, {@link ChainingStrategy#ALWAYS}), the tail joins
 *       the head's chain, and the loop runs in one task.
 *   <li>{@link #producerChain}: otherwise, when the tail can be chained behind the operator that
 *       produces the feedback (a forward edge at the head's parallelism), that operator and those
 *       it may be chained to are co-located with the head, so whichever of them heads the chain
 *       carries the group. A model updater at parallelism 1 that feeds back to a head at
 *       parallelism 1 then runs its tail in its own task.
 *   <li>Else the tail heads its own chain, co-located with the head.
 * </ul>
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

    /**
     * The operators to co-locate with {@code head} so that the tail may be chained behind the
     * operator that produces {@code feedback}: that operator and the ones upstream of it that Flink
     * may chain it to, up to one that certainly starts a chain. Empty when the tail must head its
     * own chain: chaining disabled, an exchange or a change of parallelism before the tail, a
     * producer that never chains or lives in another slot sharing group, an operator on the way
     * that may be in the chain and is co-located with something already (another variable's head,
     * say), or a way back to the head itself (then {@link #joinsHeadChain} decides).
     */
    public static List<Transformation<?>> producerChain(
            Transformation<?> feedback, Transformation<?> head, boolean chainingEnabled) {
        return producerChain(feedback, head, head.getParallelism(), chainingEnabled);
    }

    /**
     * The same walk for any operator at {@code parallelism} that reads {@code edge} and should be
     * chained behind its producer, co-located with something of its own (a broadcast relay); {@code
     * head}, if not null, is a head that must not be on the way.
     */
    public static List<Transformation<?>> producerChain(
            Transformation<?> edge,
            Transformation<?> head,
            int parallelism,
            boolean chainingEnabled) {
        if (!chainingEnabled) {
            return List.of();
        }
        Transformation<?> producer = forwardSource(edge);
        if (producer == null
                || producer == head
                || !isOperator(producer)
                || !canJoin(producer, parallelism)
                || strategyOf(producer) == ChainingStrategy.NEVER) {
            return List.of();
        }
        List<Transformation<?>> chain = new ArrayList<>();
        chain.add(producer);
        Transformation<?> current = producer;
        // Walks up while Flink may chain the current operator to the one before it. It stops
        // where a chain certainly starts; where it cannot tell, the tail stays apart.
        while (current instanceof OneInputTransformation<?, ?>
                && strategyOf(current) == ChainingStrategy.ALWAYS) {
            Transformation<?> upstream = forwardSource(current.getInputs().get(0));
            if (upstream != null
                    && (upstream == head
                            || !isOperator(upstream)
                            || upstream.getParallelism() <= 0)) {
                return List.of();
            }
            if (upstream == null
                    || upstream.getParallelism() != current.getParallelism()
                    || !inDefaultSlotSharingGroup(upstream)
                    || strategyOf(upstream) == ChainingStrategy.NEVER) {
                break; // the current operator starts the chain
            }
            if (upstream.getCoLocationGroupKey() != null) {
                // It may head the chain with a group of its own. One that cannot be in the chain
                // does not matter (above): a relayed trainer before a parallelism-1 updater.
                return List.of();
            }
            chain.add(upstream);
            current = upstream;
        }
        return chain;
    }

    /**
     * The operator whose output reaches {@code edge} over a forward edge (side outputs and marked
     * edges without a partitioner are virtual), or null if an exchange or a union is in between.
     */
    private static Transformation<?> forwardSource(Transformation<?> edge) {
        Transformation<?> current = edge;
        while (true) {
            if (current instanceof SideOutputTransformation) {
                current = current.getInputs().get(0);
            } else if (current instanceof PartitionTransformation<?> partition) {
                boolean forward =
                        partition.getPartitioner() == null
                                || partition.getPartitioner() instanceof ForwardPartitioner;
                if (!forward || partition.getExchangeMode() == StreamExchangeMode.BATCH) {
                    return null;
                }
                current = current.getInputs().get(0);
            } else if (current instanceof UnionTransformation) {
                return null;
            } else {
                return current;
            }
        }
    }

    /** Whether a transformation becomes one operator of the job graph, which Flink may chain. */
    private static boolean isOperator(Transformation<?> transformation) {
        return transformation instanceof OneInputTransformation
                || transformation instanceof TwoInputTransformation
                || transformation instanceof AbstractMultipleInputTransformation
                || transformation instanceof SourceTransformation;
    }

    private static boolean canJoin(Transformation<?> operator, int headParallelism) {
        return headParallelism > 0
                && operator.getParallelism() == headParallelism
                && inDefaultSlotSharingGroup(operator)
                && operator.getCoLocationGroupKey() == null;
    }

    private static ChainingStrategy strategyOf(Transformation<?> operator) {
        StreamOperatorFactory<?> factory;
        if (operator instanceof OneInputTransformation<?, ?> one) {
            factory = one.getOperatorFactory();
        } else if (operator instanceof TwoInputTransformation<?, ?, ?> two) {
            factory = two.getOperatorFactory();
        } else if (operator instanceof AbstractMultipleInputTransformation<?> multiple) {
            factory = multiple.getOperatorFactory();
        } else {
            return ((SourceTransformation<?, ?, ?>) operator).getChainingStrategy();
        }
        return factory.getChainingStrategy();
    }

    /**
     * Whether {@code transformation} is in the default slot sharing group, the one a co-located
     * group of the loop lives in.
     */
    public static boolean inDefaultSlotSharingGroup(Transformation<?> transformation) {
        Optional<SlotSharingGroup> group = transformation.getSlotSharingGroup();
        return group.isEmpty()
                || StreamGraphGenerator.DEFAULT_SLOT_SHARING_GROUP.equals(group.get().getName());
    }
}
