package io.github.flinkiteration.runtime;

import io.github.flinkiteration.runtime.coordinator.IterationControlSource;
import io.github.flinkiteration.runtime.draft.LoopEdges;
import io.github.flinkiteration.runtime.feedback.HeadOperator;
import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.record.IterationRecordTypeInfo;
import io.github.flinkiteration.runtime.replay.ReplayOperator;
import io.github.flinkiteration.runtime.wrapper.InputWrapOperator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.core.memory.ManagedMemoryUseCase;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.api.transformations.PartitionTransformation;
import org.apache.flink.streaming.api.transformations.TwoInputTransformation;
import org.apache.flink.util.OutputTag;

/**
 * Wires where the bound streams enter the loop as iteration records: a head per variable, a replay
 * per constant, and a wrapping operator per data input.
 */
final class LoopEntries {

    /** A constant's claim on its slot's operator managed memory, relative to other claims. */
    private static final int REPLAY_MEMORY_WEIGHT = 100;

    /** A lock-step head's claim, for the rounds of feedback it holds, relative to other claims. */
    private static final int HELD_FEEDBACK_MEMORY_WEIGHT = 100;

    private final StreamExecutionEnvironment env;
    private final ProgressPlan plan;
    private final CoLocation coLocation;
    private final IterationUids uids;
    private final boolean bounded;
    private final LoopEdges edges;

    LoopEntries(
            StreamExecutionEnvironment env,
            ProgressPlan plan,
            CoLocation coLocation,
            IterationUids uids,
            boolean bounded) {
        this.env = env;
        this.plan = plan;
        this.coLocation = coLocation;
        this.uids = uids;
        this.bounded = bounded;
        this.edges = LoopEdges.of(env.getConfiguration());
    }

    /**
     * @param logsProgress whether this head's subtask 0 writes the iteration's progress to the log:
     *     true for one head per iteration
     */
    /**
     * @param finalValues the side output the head emits the variable's final value to, or null if
     *     the body asks for none
     */
    <T> Transformation<IterationRecord<T>> addHead(
            String name,
            DataStream<T> initial,
            boolean logsProgress,
            OutputTag<IterationRecord<T>> finalValues) {
        TwoInputTransformation<T, Void, IterationRecord<T>> head =
                controlledEntry(
                        name,
                        initial,
                        "Iteration head [" + name + "]",
                        HeadOperator.<T>factory(name, plan, logsProgress, finalValues));
        head.setUid(uids.head(name));
        if (plan.isLockStep()) {
            // The feedback waiting for its round takes the operator share, spilling beyond it.
            head.declareManagedMemoryUseCaseAtOperatorScope(
                    ManagedMemoryUseCase.OPERATOR, HELD_FEEDBACK_MEMORY_WEIGHT);
        }
        coLocation.colocate(name, controlSourceOf(head));
        coLocation.colocate(name, head);
        return head;
    }

    <T> Transformation<IterationRecord<T>> addReplay(String name, DataStream<T> stream) {
        TwoInputTransformation<T, Void, IterationRecord<T>> replay =
                controlledEntry(
                        name,
                        stream,
                        "Iteration constant [" + name + "]",
                        ReplayOperator.<T>factory(name, plan));
        replay.setUid(uids.replay(name));
        // The cache takes the operator share of managed memory, split by weight in the slot.
        replay.declareManagedMemoryUseCaseAtOperatorScope(
                ManagedMemoryUseCase.OPERATOR, REPLAY_MEMORY_WEIGHT);
        return replay;
    }

    <T> Transformation<IterationRecord<T>> wrapInput(String name, DataStream<T> stream) {
        OneInputTransformation<T, IterationRecord<T>> input =
                new OneInputTransformation<>(
                        stream.getTransformation(),
                        "Iteration input [" + name + "]",
                        SimpleOperatorFactory.of(new InputWrapOperator<T>(!bounded)),
                        new IterationRecordTypeInfo<>(stream.getType()),
                        stream.getParallelism());
        input.setUid(uids.input(name));
        return input;
    }

    /**
     * Where a stream enters the loop through an operator that lives until the iteration ends: its
     * first input is {@code stream}, its second a control source that ends at termination.
     */
    private <T> TwoInputTransformation<T, Void, IterationRecord<T>> controlledEntry(
            String name,
            DataStream<T> stream,
            String operatorName,
            StreamOperatorFactory<IterationRecord<T>> factory) {
        int parallelism = stream.getParallelism();
        // Flink refuses an unbounded source in a BATCH job; this one ends at termination.
        Boundedness boundedness =
                edges.isBatch() ? Boundedness.BOUNDED : Boundedness.CONTINUOUS_UNBOUNDED;
        Transformation<Void> control =
                env.fromSource(
                                new IterationControlSource(plan, boundedness),
                                WatermarkStrategy.noWatermarks(),
                                "Iteration control [" + name + "]",
                                Types.VOID)
                        .getTransformation();
        control.setParallelism(parallelism);
        control.setUid(uids.control(name));
        TwoInputTransformation<T, Void, IterationRecord<T>> entry =
                new TwoInputTransformation<>(
                        stream.getTransformation(),
                        edges.control(control),
                        operatorName,
                        factory,
                        new IterationRecordTypeInfo<>(stream.getType()),
                        parallelism);
        int maxParallelism = stream.getTransformation().getMaxParallelism();
        if (maxParallelism > 0) {
            entry.setMaxParallelism(maxParallelism);
        }
        return entry;
    }

    /** The control source of an entry, behind the edge {@link LoopEdges#control} may have added. */
    private static Transformation<?> controlSourceOf(TwoInputTransformation<?, ?, ?> entry) {
        Transformation<?> input = entry.getInput2();
        return input instanceof PartitionTransformation ? input.getInputs().get(0) : input;
    }
}
