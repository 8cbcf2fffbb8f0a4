package io.github.flinkiteration.runtime.draft;

import static io.github.flinkiteration.runtime.draft.TranslationContext.describe;

import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.wrapper.RoundWrapperOperatorFactory;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.AbstractMultipleInputTransformation;
import org.apache.flink.streaming.api.transformations.BroadcastStateTransformation;
import org.apache.flink.streaming.api.transformations.KeyedBroadcastStateTransformation;
import org.apache.flink.streaming.api.transformations.LegacySinkTransformation;
import org.apache.flink.streaming.api.transformations.LegacySourceTransformation;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.api.transformations.PartitionTransformation;
import org.apache.flink.streaming.api.transformations.ReduceTransformation;
import org.apache.flink.streaming.api.transformations.SideOutputTransformation;
import org.apache.flink.streaming.api.transformations.SinkTransformation;
import org.apache.flink.streaming.api.transformations.SourceTransformation;
import org.apache.flink.streaming.api.transformations.TimestampsAndWatermarksTransformation;
import org.apache.flink.streaming.api.transformations.TwoInputTransformation;
import org.apache.flink.streaming.api.transformations.UnionTransformation;

/**
 * Rebuilds the transformations an iteration body recorded in its {@link DraftEnvironment} in the
 * job's real environment. Every operator is wrapped by a {@link RoundWrapperOperatorFactory}, its
 * element types become {@link IterationRecord}s, and key selectors and partitioners read the value
 * inside. Names, uids, parallelism, max parallelism, slot sharing, resources and managed memory are
 * kept. Transformations that cannot run inside a loop are rejected, by name.
 *
 * <p>This class keeps what has been translated and hands each new draft transformation to the
 * translator of its kind.
 */
public final class BodyTranslator {

    private final int firstBodyTransformationId;
    private final Map<Transformation<?>, Transformation<?>> translated = new IdentityHashMap<>();

    /** Relayed operators and their broadcast input, which reaches them through no Flink edge. */
    private final Map<Transformation<?>, Transformation<?>> relayedInputs = new IdentityHashMap<>();

    private final OneInputTranslator oneInputs;
    private final TwoInputTranslator twoInputs;
    private final MultipleInputTranslator multipleInputs;
    private final PartitionTranslator partitions;
    private final UnionTranslator unions;
    private final SideOutputTranslator sideOutputs;

    /**
     * @param firstBodyTransformationId transformations with a smaller id were created before the
     *     body ran, outside it
     * @param lockStep whether the body's operators run rounds in lock-step (bounded iterations)
     * @param draftEnvironment where the body was built, which knows each operator's lifecycle
     */
    public BodyTranslator(
            StreamExecutionEnvironment env,
            int firstBodyTransformationId,
            boolean lockStep,
            DraftEnvironment draftEnvironment) {
        this(env, firstBodyTransformationId, lockStep, draftEnvironment, null);
    }

    /**
     * @param aggregatingPlan the plan of an iteration with aggregators, whose body operators then
     *     take part in them; {@code null} for an iteration without
     */
    public BodyTranslator(
            StreamExecutionEnvironment env,
            int firstBodyTransformationId,
            boolean lockStep,
            DraftEnvironment draftEnvironment,
            ProgressPlan aggregatingPlan) {
        this.firstBodyTransformationId = firstBodyTransformationId;
        TranslationContext context =
                new TranslationContext(this, env, lockStep, draftEnvironment, aggregatingPlan);
        this.oneInputs = new OneInputTranslator(context);
        this.twoInputs = new TwoInputTranslator(context);
        this.multipleInputs = new MultipleInputTranslator(context);
        this.partitions = new PartitionTranslator(context);
        this.unions = new UnionTranslator(context);
        this.sideOutputs = new SideOutputTranslator(context);
    }

    /** Makes {@code placeholder} stand for {@code entry}, a stream of iteration records. */
    public void bind(PlaceholderTransformation<?> placeholder, Transformation<?> entry) {
        translated.put(placeholder, entry);
    }

    /**
     * The inputs of a translated operator that reach it in process rather than through one of its
     * Flink inputs: a relayed operator's broadcast input. A walk upstream that must find every way
     * records reach an operator (is the tail downstream of its head?) follows these too.
     */
    public List<Transformation<?>> inputsOutsideEdges(Transformation<?> real) {
        Transformation<?> relayed = relayedInputs.get(real);
        return relayed == null ? List.of() : List.of(relayed);
    }

    /** Notes that {@code consumer} gets {@code broadcast} through a relay. */
    void relayed(Transformation<?> consumer, Transformation<?> broadcast) {
        relayedInputs.put(consumer, broadcast);
    }

    /** The real counterpart of a draft transformation, translating it first if needed. */
    @SuppressWarnings("unchecked")
    public <T> Transformation<IterationRecord<T>> translate(Transformation<T> draft) {
        Transformation<?> done = translated.get(draft);
        if (done == null) {
            done = translateNew(draft);
            translated.put(draft, done);
        }
        return (Transformation<IterationRecord<T>>) done;
    }

    private Transformation<?> translateNew(Transformation<?> draft) {
        rejectOutsideLoop(draft);
        if (draft instanceof OneInputTransformation<?, ?> oneInput) {
            return oneInputs.translate(oneInput);
        }
        if (draft instanceof TwoInputTransformation<?, ?, ?> twoInput) {
            return twoInputs.translate(twoInput);
        }
        if (draft instanceof AbstractMultipleInputTransformation<?> multipleInput) {
            return multipleInputs.translate(multipleInput);
        }
        if (draft instanceof ReduceTransformation<?, ?> reduce) {
            return oneInputs.translateReduce(reduce);
        }
        if (draft instanceof PartitionTransformation<?> partition) {
            return partitions.translate(partition);
        }
        if (draft instanceof UnionTransformation<?> union) {
            return unions.translate(union);
        }
        if (draft instanceof SideOutputTransformation<?> sideOutput) {
            return sideOutputs.translate(sideOutput);
        }
        if (draft instanceof BroadcastStateTransformation<?, ?, ?> broadcast) {
            return twoInputs.translateBroadcast(broadcast);
        }
        if (draft instanceof KeyedBroadcastStateTransformation<?, ?, ?, ?> keyedBroadcast) {
            return twoInputs.translateKeyedBroadcast(keyedBroadcast);
        }
        throw new IllegalArgumentException(
                "The iteration body uses "
                        + describe(draft)
                        + " of kind "
                        + draft.getClass().getSimpleName()
                        + ", which cannot run inside an iteration.");
    }

    /**
     * Rejects what cannot be part of the loop whatever its kind: streams from outside the body, and
     * sources, sinks and watermark assignment inside it.
     */
    private void rejectOutsideLoop(Transformation<?> draft) {
        if (draft instanceof PlaceholderTransformation) {
            throw new IllegalArgumentException(
                    "The iteration body uses "
                            + describe(draft)
                            + ", an input of a different iteration. Use only the streams of"
                            + " this body's IterationInputs.");
        }
        if (draft.getId() < firstBodyTransformationId) {
            throw new IllegalArgumentException(
                    "The iteration body uses "
                            + describe(draft)
                            + ", which was not built from the body's inputs. Bind the stream to"
                            + " the iteration (bindData or bindVariable) and read it with"
                            + " inputs.get(name) inside the body.");
        }
        if (draft instanceof SourceTransformation || draft instanceof LegacySourceTransformation) {
            throw new IllegalArgumentException(
                    "The iteration body creates the source "
                            + describe(draft)
                            + ". Sources cannot be created inside an iteration body: create the"
                            + " source outside and bind it with bindData(...).");
        }
        if (draft instanceof SinkTransformation || draft instanceof LegacySinkTransformation) {
            throw new IllegalArgumentException(
                    "The iteration body adds the sink "
                            + describe(draft)
                            + ". Sinks cannot be added inside an iteration body: declare the"
                            + " stream with withOutput(name, stream) and add the sink to"
                            + " results.get(name).");
        }
        if (draft instanceof TimestampsAndWatermarksTransformation) {
            throw new IllegalArgumentException(
                    "The iteration body assigns timestamps and watermarks in "
                            + describe(draft)
                            + ". Inside an iteration watermarks carry round numbers; assign"
                            + " timestamps and watermarks before binding the stream.");
        }
    }
}
