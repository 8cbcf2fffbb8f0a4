package io.github.flinkiteration.runtime;

import io.github.flinkiteration.api.TerminationCondition;
import io.github.flinkiteration.runtime.draft.BodyTranslator;
import io.github.flinkiteration.runtime.draft.LoopEdges;
import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.termination.TerminationCheckOperator;
import io.github.flinkiteration.runtime.wrapper.OutputUnwrapOperator;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.api.transformations.PartitionTransformation;
import org.apache.flink.streaming.api.transformations.SideOutputTransformation;
import org.apache.flink.streaming.api.transformations.StreamExchangeMode;
import org.apache.flink.streaming.runtime.partitioner.GlobalPartitioner;
import org.apache.flink.util.OutputTag;

/**
 * Wires where the body's streams leave the loop other than as feedback: an unwrapping operator per
 * declared output, and a check per termination stream.
 */
final class LoopExits {

    private final StreamExecutionEnvironment env;
    private final ProgressPlan plan;
    private final IterationUids uids;
    private final boolean bounded;
    private final LoopEdges edges;

    LoopExits(
            StreamExecutionEnvironment env,
            ProgressPlan plan,
            IterationUids uids,
            boolean bounded) {
        this.env = env;
        this.plan = plan;
        this.uids = uids;
        this.bounded = bounded;
        this.edges = LoopEdges.of(env.getConfiguration());
    }

    /**
     * Checks {@code reference}, the translated stream of {@code check}, every round.
     *
     * @param index the check's position among the termination condition's stream checks
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    void addCheck(
            int index, TerminationCondition.StreamCheck<?> check, Transformation<?> reference) {
        OneInputTransformation<?, Void> operator;
        if (check.isEmptiness()) {
            operator =
                    new OneInputTransformation(
                            edges.into(reference),
                            "Termination check: no records in '" + reference.getName() + "'",
                            TerminationCheckOperator.factory(null, plan),
                            Types.VOID,
                            reference.getParallelism());
        } else {
            // The criterion sees all records of a round: gather them on one subtask.
            Transformation<?> gathered =
                    new PartitionTransformation(
                            reference,
                            new GlobalPartitioner<>(),
                            edges.exchangeMode(StreamExchangeMode.UNDEFINED));
            operator =
                    new OneInputTransformation(
                            gathered,
                            "Termination check: "
                                    + check.getCriterion()
                                    + " on '"
                                    + reference.getName()
                                    + "'",
                            TerminationCheckOperator.factory(check.getCriterion(), plan),
                            Types.VOID,
                            1);
        }
        operator.setUid(uids.check(index));
        env.addOperator(operator);
    }

    /** The user's stream of the output {@code name}: the body's {@code stream}, unwrapped. */
    <T> DataStream<T> unwrapOutput(String name, DataStream<T> stream, BodyTranslator translator) {
        return unwrap(name, translator.translate(stream.getTransformation()), stream.getType());
    }

    /**
     * The user's stream of the output {@code name}: the final value of a variable, which its {@code
     * head} emits under {@code tag} (records of the round after the last, never a body's).
     */
    <T> DataStream<T> finalValueOutput(
            String name,
            Transformation<IterationRecord<T>> head,
            OutputTag<IterationRecord<T>> tag,
            TypeInformation<T> type) {
        return unwrap(name, new SideOutputTransformation<>(head, tag), type);
    }

    private <T> DataStream<T> unwrap(
            String name, Transformation<IterationRecord<T>> inner, TypeInformation<T> type) {
        OneInputTransformation<IterationRecord<T>, T> output =
                new OneInputTransformation<>(
                        inner,
                        "Iteration output [" + name + "]",
                        SimpleOperatorFactory.of(new OutputUnwrapOperator<T>(!bounded)),
                        type,
                        inner.getParallelism());
        output.setUid(uids.output(name));
        return new DataStream<>(env, output);
    }
}
