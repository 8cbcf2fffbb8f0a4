package io.github.flinkiteration.runtime.draft;

import static io.github.flinkiteration.runtime.draft.TranslationContext.recordType;

import io.github.flinkiteration.runtime.feedback.TailChaining;
import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.relay.BroadcastRelayOperator;
import io.github.flinkiteration.runtime.relay.RelayedBroadcastOperatorFactory;
import io.github.flinkiteration.runtime.wrapper.RoundWrapperOperatorFactory.Arity;
import java.util.List;
import java.util.UUID;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.graph.StreamGraphGenerator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.streaming.api.operators.co.CoProcessOperator;
import org.apache.flink.streaming.api.operators.co.CoStreamFlatMap;
import org.apache.flink.streaming.api.operators.co.CoStreamMap;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.api.transformations.PartitionTransformation;
import org.apache.flink.streaming.api.transformations.SideOutputTransformation;
import org.apache.flink.streaming.api.transformations.SourceTransformation;
import org.apache.flink.streaming.api.transformations.TwoInputTransformation;
import org.apache.flink.streaming.runtime.partitioner.BroadcastPartitioner;
import org.apache.flink.util.OutputTag;

/**
 * Moves the broadcast input of a two-input body operator off the network, so that Flink can chain
 * the operator behind its other input: {@code data.connect(model.broadcast()).process(...)} then
 * runs in the task that produces the data (the source's, typically), and only the broadcast records
 * cross to it, through a co-located {@link BroadcastRelayOperator}. Online training reads each
 * record once and the model rarely, so this saves a network hop per record.
 *
 * <p>It applies only where nothing can tell the difference:
 *
 * <ul>
 *   <li>a free-flowing iteration without aggregators (in lock-step the wrapper holds rounds back);
 *   <li>Flink's own non-keyed connect operators ({@code process}, {@code map}, {@code flatMap}),
 *       which read no serializer of their inputs and never select an input;
 *   <li>exactly one input broadcast, and the other certain to be chained (a forward edge at the
 *       operator's parallelism, set explicitly, in the default slot sharing group, from producers
 *       not co-located with anything else): {@link TailChaining#producerChain} walks that chain,
 *       whose first operator must carry the co-location group;
 *   <li>that chain starts at a source. When its data ends the operator keeps its task alive until
 *       the broadcast ends, running the mailbox; a source task gets its checkpoints there, as
 *       mails, but a task with a network input reads its barriers from that input, which it no
 *       longer reads then: the relay, aligning on the missing barrier, would hold back the
 *       broadcast's end the operator waits for.
 * </ul>
 *
 * Otherwise the operator keeps both network inputs.
 */
final class BroadcastRelayTranslator {

    private final TranslationContext context;

    BroadcastRelayTranslator(TranslationContext context) {
        this.context = context;
    }

    /** The relayed translation of {@code draft}, or null if it keeps both network inputs. */
    <IN1, IN2, OUT> Transformation<?> translate(
            TwoInputTransformation<IN1, IN2, OUT> draft, StreamOperatorFactory<OUT> factory) {
        int broadcastSide = broadcastSide(draft);
        int parallelism = draft.getParallelism();
        if (broadcastSide < 0
                || !context.relaysBroadcasts()
                || context.isPerRound(draft)
                || draft.getStateKeySelector1() != null
                || draft.getStateKeySelector2() != null
                || !isRelayable(factory)
                || parallelism <= 0
                || draft.getCoLocationGroupKey() != null
                || !TailChaining.inDefaultSlotSharingGroup(draft)) {
            return null;
        }
        Transformation<IterationRecord<Object>> data =
                context.operatorInputOf(draft, 1 - broadcastSide);
        List<Transformation<?>> chain =
                TailChaining.producerChain(data, null, parallelism, context.isChainingEnabled());
        if (chain.isEmpty() || !(chain.get(chain.size() - 1) instanceof SourceTransformation)) {
            return null;
        }
        Transformation<IterationRecord<Object>> broadcast =
                context.operatorInputOf(draft, broadcastSide);
        String relayId = UUID.randomUUID().toString();
        String group = "flink-iteration/relay/" + relayId;

        OneInputTransformation<IterationRecord<Object>, IterationRecord<OUT>> consumer =
                new OneInputTransformation<>(
                        data,
                        draft.getName(),
                        new RelayedBroadcastOperatorFactory<>(
                                context.wrap(factory, Arity.TWO, draft),
                                relayId,
                                broadcastSide,
                                broadcast.getOutputType()),
                        recordType(draft.getOutputType()),
                        parallelism,
                        draft.isParallelismConfigured());
        TransformationSettings.copy(draft, consumer);

        // Carries no record: it puts consumer and relay into one pipelined region, which Flink
        // requires of co-located tasks.
        SideOutputTransformation<Void> link =
                new SideOutputTransformation<>(
                        consumer, new OutputTag<>("flink-iteration-relay-link", Types.VOID));
        SimpleOperatorFactory<Void> relayFactory =
                SimpleOperatorFactory.of(new BroadcastRelayOperator<>(relayId));
        TwoInputTransformation<IterationRecord<Object>, Void, Void> relay =
                new TwoInputTransformation<>(
                        broadcast,
                        link,
                        "Broadcast relay [" + draft.getName() + "]",
                        relayFactory,
                        Types.VOID,
                        parallelism);
        if (draft.getUid() != null) {
            relay.setUid(draft.getUid() + "/broadcast-relay");
        }
        if (draft.getMaxParallelism() > 0) {
            relay.setMaxParallelism(draft.getMaxParallelism());
        }
        for (Transformation<?> operator : chain) {
            colocate(operator, group);
        }
        colocate(consumer, group);
        colocate(relay, group);
        context.addOperator(relay);
        context.relayed(consumer, broadcast);
        return consumer;
    }

    /** The input that is broadcast, 0 or 1, if exactly one is; else -1. */
    private static int broadcastSide(TwoInputTransformation<?, ?, ?> draft) {
        boolean first = isBroadcast(draft.getInputs().get(0));
        boolean second = isBroadcast(draft.getInputs().get(1));
        return first == second ? -1 : first ? 0 : 1;
    }

    private static boolean isBroadcast(Transformation<?> input) {
        return input instanceof PartitionTransformation<?> partition
                && partition.getPartitioner() instanceof BroadcastPartitioner;
    }

    /**
     * Flink's operators for {@code connect(...).process/map/flatMap}, checked against Flink 2.3.0:
     * they may be chained, and neither read their inputs' serializers from the configuration nor
     * choose which input to read (the relayed input arrives in the mailbox, between records of the
     * other).
     */
    private static boolean isRelayable(StreamOperatorFactory<?> factory) {
        if (!(factory instanceof SimpleOperatorFactory<?> simple)
                || factory.getChainingStrategy() != ChainingStrategy.ALWAYS) {
            return false;
        }
        Class<?> type = simple.getOperator().getClass();
        return type == CoProcessOperator.class
                || type == CoStreamMap.class
                || type == CoStreamFlatMap.class;
    }

    private static void colocate(Transformation<?> transformation, String group) {
        transformation.setSlotSharingGroup(StreamGraphGenerator.DEFAULT_SLOT_SHARING_GROUP);
        transformation.setCoLocationGroupKey(group);
    }
}
