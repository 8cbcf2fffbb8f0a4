package io.github.flinkiteration.runtime.draft;

import io.github.flinkiteration.api.OperatorLifecycle;
import io.github.flinkiteration.runtime.delta.SolutionSetJoinOperator;
import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.record.IterationRecordTypeInfo;
import io.github.flinkiteration.runtime.wrapper.AggregatingRoundWrapperOperatorFactory;
import io.github.flinkiteration.runtime.wrapper.RoundWrapperOperatorFactory;
import io.github.flinkiteration.runtime.wrapper.RoundWrapperOperatorFactory.Arity;
import io.github.flinkiteration.runtime.wrapper.ValueKeySelector;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.CoordinatedOperatorFactory;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.streaming.runtime.operators.asyncprocessing.AsyncKeyOrderedProcessing;

/**
 * The part of a body's translation that every kind translator works with: the real counterparts of
 * a draft's inputs, and the wrapping that makes an operator run rounds over iteration records. The
 * translators see this rather than the dispatcher, so none of them can bypass its checks.
 */
final class TranslationContext {

    private final BodyTranslator body;
    private final StreamExecutionEnvironment env;
    private final boolean lockStep;
    private final DraftEnvironment draftEnvironment;
    private final LoopEdges edges;
    private final ProgressPlan aggregatingPlan;

    TranslationContext(
            BodyTranslator body,
            StreamExecutionEnvironment env,
            boolean lockStep,
            DraftEnvironment draftEnvironment,
            ProgressPlan aggregatingPlan) {
        this.aggregatingPlan = aggregatingPlan;
        this.body = body;
        this.env = env;
        this.lockStep = lockStep;
        this.draftEnvironment = draftEnvironment;
        this.edges = LoopEdges.of(env.getConfiguration());
    }

    /** The real counterpart of a draft transformation, translating it first if needed. */
    <T> Transformation<IterationRecord<T>> translate(Transformation<T> draft) {
        return body.translate(draft);
    }

    /** The real counterpart of the {@code index}-th input of {@code draft}. */
    @SuppressWarnings("unchecked")
    <T> Transformation<IterationRecord<T>> inputOf(Transformation<?> draft, int index) {
        return translate((Transformation<T>) draft.getInputs().get(index));
    }

    /**
     * The {@code index}-th input of {@code draft} as an input of the operator that translates it:
     * pipelined in a BATCH job ({@link LoopEdges}).
     */
    <T> Transformation<IterationRecord<T>> operatorInputOf(Transformation<?> draft, int index) {
        return edges.into(inputOf(draft, index));
    }

    /** How the loop's edges are exchanged. */
    LoopEdges edges() {
        return edges;
    }

    /** Whether the body created {@code draft} inside {@code forEachRound}. */
    boolean isPerRound(Transformation<?> draft) {
        return draftEnvironment.lifecycleOf(draft) == OperatorLifecycle.PER_ROUND;
    }

    /** Wraps the operator of {@code draft} so that it runs rounds with the loop. */
    <OUT> StreamOperatorFactory<IterationRecord<OUT>> wrap(
            StreamOperatorFactory<OUT> factory, Arity arity, Transformation<?> draft) {
        if (usesAsyncState(factory)) {
            throw new IllegalArgumentException(asyncStateUnsupported(draft));
        }
        if (isPerRound(draft)
                && factory instanceof SimpleOperatorFactory<?> simple
                && simple.getOperator() instanceof SolutionSetJoinOperator) {
            // A per-round operator starts every round with empty state: the solution set would be
            // forgotten after round 0.
            throw new IllegalArgumentException(
                    "The iteration body joins with "
                            + describe(draft)
                            + " inside forEachRound, where every operator starts each round with"
                            + " empty state and the solution set would be lost after round 0."
                            + " Call SolutionSet#join outside forEachRound (pass the joined stream"
                            + " into forEachRound if a per-round part needs it).");
        }
        RoundWrapperOperatorFactory<OUT> wrapper =
                new RoundWrapperOperatorFactory<>(factory, arity, lockStep, isPerRound(draft));
        // With aggregators every body operator reports its partials, whether its functions add
        // to them or not: the coordinator cannot know which do.
        return aggregatingPlan == null
                ? wrapper
                : new AggregatingRoundWrapperOperatorFactory<>(wrapper, aggregatingPlan);
    }

    /**
     * Whether a two-input operator may take its broadcast input through a relay: in free-flowing
     * iterations without aggregators, where its wrapper holds nothing back and reports to no one.
     */
    boolean relaysBroadcasts() {
        return !lockStep && aggregatingPlan == null;
    }

    boolean isChainingEnabled() {
        return env.isChainingEnabled();
    }

    /** Notes that {@code consumer} gets {@code broadcast} in process, through a relay. */
    void relayed(Transformation<?> consumer, Transformation<?> broadcast) {
        body.relayed(consumer, broadcast);
    }

    /** Adds an operator that nothing downstream reads (a relay) to the job. */
    void addOperator(Transformation<?> operator) {
        env.addOperator(operator);
    }

    /** For operators the translator builds itself, as Flink's own translators would. */
    SerializerConfig serializerConfig() {
        return env.getConfig().getSerializerConfig();
    }

    /**
     * An operator coordinator lives outside the loop's rounds and checkpoints, so its operator is
     * rejected rather than wrapped.
     */
    static <OUT> StreamOperatorFactory<OUT> requireNoCoordinator(
            Transformation<?> draft, StreamOperatorFactory<OUT> factory) {
        if (factory instanceof CoordinatedOperatorFactory) {
            throw new IllegalArgumentException(
                    "The iteration body uses "
                            + describe(draft)
                            + ", whose operator has an operator coordinator; such operators"
                            + " cannot run inside an iteration. Apply it outside the body: to a"
                            + " bound stream before binding it, or to an output of the"
                            + " iteration.");
        }
        return factory;
    }

    /**
     * An async-state operator processes records through Flink's asynchronous key context, which the
     * round wrapper does not drive; a per-round host could not give it a state backend either.
     */
    private static boolean usesAsyncState(StreamOperatorFactory<?> factory) {
        Class<?> operatorClass =
                factory instanceof SimpleOperatorFactory<?> simple
                        ? simple.getOperator().getClass()
                        : factory.getStreamOperatorClass(TranslationContext.class.getClassLoader());
        return AsyncKeyOrderedProcessing.class.isAssignableFrom(operatorClass);
    }

    static String asyncStateUnsupported(Transformation<?> draft) {
        return "The iteration body uses "
                + describe(draft)
                + " with async state (enableAsyncState()), which iterations do not support."
                + " Remove enableAsyncState() from this operator and use the classic state API"
                + " inside the body.";
    }

    static <T> TypeInformation<IterationRecord<T>> recordType(TypeInformation<T> type) {
        return new IterationRecordTypeInfo<>(type);
    }

    /** The user's key selector, applied to the value inside an iteration record. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static KeySelector valueKeySelector(KeySelector<?, ?> selector) {
        return new ValueKeySelector(selector);
    }

    /** How error messages name a draft transformation. */
    static String describe(Transformation<?> t) {
        return "'" + t.getName() + "' (transformation " + t.getId() + ")";
    }
}
