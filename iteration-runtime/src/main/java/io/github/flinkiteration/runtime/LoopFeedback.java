package io.github.flinkiteration.runtime;

import io.github.flinkiteration.runtime.draft.LoopEdges;
import io.github.flinkiteration.runtime.feedback.RegionLinkOperator;
import io.github.flinkiteration.runtime.feedback.RoundDeciderOperator;
import io.github.flinkiteration.runtime.feedback.TailChaining;
import io.github.flinkiteration.runtime.feedback.TailOperator;
import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import io.github.flinkiteration.runtime.protocol.RoundSummary;
import io.github.flinkiteration.runtime.record.IterationRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.api.transformations.PartitionTransformation;
import org.apache.flink.streaming.api.transformations.StreamExchangeMode;
import org.apache.flink.streaming.api.transformations.UnionTransformation;
import org.apache.flink.streaming.runtime.partitioner.BroadcastPartitioner;

/**
 * Wires how the loop closes: a tail per variable, which hands its feedback to the head, and where
 * rounds are decided in the data plane, a round decider per variable that hears every tail.
 */
final class LoopFeedback {

    private static final TypeInformation<RoundSummary> ROUND_SUMMARY =
            TypeInformation.of(RoundSummary.class);

    private final StreamExecutionEnvironment env;
    private final ProgressPlan plan;
    private final CoLocation coLocation;
    private final IterationUids uids;
    private final boolean lockStep;
    private final LoopEdges edges;
    private final Function<Transformation<?>, List<Transformation<?>>> inputsOutsideEdges;

    LoopFeedback(
            StreamExecutionEnvironment env,
            ProgressPlan plan,
            CoLocation coLocation,
            IterationUids uids,
            boolean lockStep,
            Function<Transformation<?>, List<Transformation<?>>> inputsOutsideEdges) {
        this.inputsOutsideEdges = inputsOutsideEdges;
        this.env = env;
        this.plan = plan;
        this.coLocation = coLocation;
        this.uids = uids;
        this.lockStep = lockStep;
        this.edges = LoopEdges.of(env.getConfiguration());
    }

    Transformation<RoundSummary> addTail(
            boolean summarizes,
            String name,
            int variableIndex,
            Transformation<?> head,
            Transformation<? extends IterationRecord<?>> feedback) {
        if (!isDownstreamOf(feedback, head)) {
            feedback = linkToRegionOf(name, head, feedback, uids.regionLink(name));
        }
        // In the head's own chain the tail is co-located by construction. Behind the feedback's
        // producer it is when every operator that may head that chain is co-located too; a
        // chained operator loses its own co-location group. Otherwise it heads its own chain.
        boolean sameChain = TailChaining.joinsHeadChain(feedback, head, env.isChainingEnabled());
        List<Transformation<?>> producerChain =
                sameChain
                        ? List.of()
                        : TailChaining.producerChain(feedback, head, env.isChainingEnabled());
        SimpleOperatorFactory<RoundSummary> factory =
                SimpleOperatorFactory.of(
                        new TailOperator<>(
                                plan.getIterationId(),
                                name,
                                variableIndex,
                                summarizes,
                                plan.getHeads() == 1,
                                lockStep,
                                sameChain));
        boolean chained = sameChain || !producerChain.isEmpty();
        factory.setChainingStrategy(chained ? ChainingStrategy.ALWAYS : ChainingStrategy.HEAD);
        @SuppressWarnings({"unchecked", "rawtypes"})
        OneInputTransformation<?, RoundSummary> tail =
                new OneInputTransformation(
                        edges.into(feedback),
                        "Iteration tail [" + name + "]",
                        factory,
                        ROUND_SUMMARY,
                        head.getParallelism());
        if (head.getMaxParallelism() > 0) {
            tail.setMaxParallelism(head.getMaxParallelism());
        }
        tail.setUid(uids.tail(name));
        coLocation.colocate(name, tail);
        for (Transformation<?> operator : producerChain) {
            coLocation.colocate(name, operator);
        }
        env.addOperator(tail);
        return tail;
    }

    /**
     * Adds the round decider of a variable: as many subtasks as its head, each co-located with one
     * head subtask, each hearing the round summaries of every tail subtask.
     */
    void addDecider(String name, Transformation<?> head, List<Transformation<RoundSummary>> tails) {
        List<Transformation<RoundSummary>> broadcasts = new ArrayList<>();
        for (Transformation<RoundSummary> tail : tails) {
            broadcasts.add(
                    new PartitionTransformation<>(
                            tail,
                            new BroadcastPartitioner<>(),
                            edges.exchangeMode(StreamExchangeMode.UNDEFINED)));
        }
        Transformation<RoundSummary> summaries =
                broadcasts.size() == 1 ? broadcasts.get(0) : new UnionTransformation<>(broadcasts);
        OneInputTransformation<RoundSummary, Void> decider =
                new OneInputTransformation<>(
                        summaries,
                        "Iteration round decider [" + name + "]",
                        SimpleOperatorFactory.of(new RoundDeciderOperator(plan, name)),
                        Types.VOID,
                        head.getParallelism());
        if (head.getMaxParallelism() > 0) {
            decider.setMaxParallelism(head.getMaxParallelism());
        }
        decider.setUid(uids.decider(name));
        coLocation.colocate(name, decider);
        env.addOperator(decider);
    }

    /**
     * Adds a record-less edge from the head to the tail: co-located tasks must share a pipelined
     * region, and feedback computed from other heads only would put the tail in another one.
     */
    private Transformation<? extends IterationRecord<?>> linkToRegionOf(
            String name,
            Transformation<?> head,
            Transformation<? extends IterationRecord<?>> feedback,
            String uid) {
        SimpleOperatorFactory<Object> factory =
                SimpleOperatorFactory.of(new RegionLinkOperator<>());
        // Chained to the head: the link costs one idle channel, not a task.
        factory.setChainingStrategy(ChainingStrategy.ALWAYS);
        @SuppressWarnings({"unchecked", "rawtypes"})
        OneInputTransformation<?, ?> link =
                new OneInputTransformation(
                        edges.into(head),
                        "Iteration region link [" + name + "]",
                        factory,
                        feedback.getOutputType(),
                        head.getParallelism());
        link.setUid(uid);
        link.setSlotSharingGroup(CoLocation.DEFAULT_SLOT_SHARING_GROUP);
        if (head.getMaxParallelism() > 0) {
            link.setMaxParallelism(head.getMaxParallelism());
        }
        @SuppressWarnings({"unchecked", "rawtypes"})
        Transformation<? extends IterationRecord<?>> union =
                new UnionTransformation(List.of(feedback, link));
        return union;
    }

    /**
     * Whether records of {@code head} reach {@code stream}: through Flink's edges, or in process
     * into a relayed operator (whose relay's region link then joins the regions).
     */
    private boolean isDownstreamOf(Transformation<?> stream, Transformation<?> head) {
        Deque<Transformation<?>> open = new ArrayDeque<>(List.of(stream));
        Set<Integer> seen = new HashSet<>();
        while (!open.isEmpty()) {
            Transformation<?> current = open.pop();
            if (current == head) {
                return true;
            }
            if (seen.add(current.getId())) {
                open.addAll(current.getInputs());
                open.addAll(inputsOutsideEdges.apply(current));
            }
        }
        return false;
    }
}
