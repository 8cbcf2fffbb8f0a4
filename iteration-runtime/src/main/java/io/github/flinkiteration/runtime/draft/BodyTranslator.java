package io.github.flinkiteration.runtime.draft;

import io.github.flinkiteration.api.OperatorLifecycle;
import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.record.IterationRecordTypeInfo;
import io.github.flinkiteration.runtime.wrapper.RoundWrapperOperatorFactory;
import io.github.flinkiteration.runtime.wrapper.RoundWrapperOperatorFactory.Arity;
import io.github.flinkiteration.runtime.wrapper.ValueKeySelector;
import io.github.flinkiteration.runtime.wrapper.ValuePartitioner;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.CoordinatedOperatorFactory;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamGroupedReduceOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.api.transformations.AbstractMultipleInputTransformation;
import org.apache.flink.streaming.api.transformations.BroadcastStateTransformation;
import org.apache.flink.streaming.api.transformations.KeyedBroadcastStateTransformation;
import org.apache.flink.streaming.api.transformations.KeyedMultipleInputTransformation;
import org.apache.flink.streaming.api.transformations.LegacySinkTransformation;
import org.apache.flink.streaming.api.transformations.LegacySourceTransformation;
import org.apache.flink.streaming.api.transformations.MultipleInputTransformation;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.api.transformations.PartitionTransformation;
import org.apache.flink.streaming.api.transformations.ReduceTransformation;
import org.apache.flink.streaming.api.transformations.SideOutputTransformation;
import org.apache.flink.streaming.api.transformations.SinkTransformation;
import org.apache.flink.streaming.api.transformations.SourceTransformation;
import org.apache.flink.streaming.api.transformations.StreamExchangeMode;
import org.apache.flink.streaming.api.transformations.TimestampsAndWatermarksTransformation;
import org.apache.flink.streaming.api.transformations.TwoInputTransformation;
import org.apache.flink.streaming.api.transformations.UnionTransformation;
import org.apache.flink.streaming.runtime.partitioner.BroadcastPartitioner;
import org.apache.flink.streaming.runtime.partitioner.ForwardPartitioner;
import org.apache.flink.streaming.runtime.partitioner.GlobalPartitioner;
import org.apache.flink.streaming.runtime.partitioner.RebalancePartitioner;
import org.apache.flink.streaming.runtime.partitioner.RescalePartitioner;
import org.apache.flink.streaming.runtime.partitioner.ShufflePartitioner;
import org.apache.flink.streaming.runtime.partitioner.StreamPartitioner;
import org.apache.flink.util.OutputTag;

/**
 * Rebuilds the transformations an iteration body recorded in its {@link DraftEnvironment} in the
 * job's real environment. Every operator is wrapped by a {@link RoundWrapperOperatorFactory}, its
 * element types become {@link IterationRecord}s, and key selectors and partitioners read the value
 * inside. Names, uids, parallelism, max parallelism, slot sharing, resources and managed memory are
 * kept. Transformations that cannot run inside a loop are rejected, by name.
 */
public final class BodyTranslator {

    private static final Set<Class<?>> VALUE_INDEPENDENT_PARTITIONERS =
            Set.of(
                    ForwardPartitioner.class,
                    RebalancePartitioner.class,
                    RescalePartitioner.class,
                    ShufflePartitioner.class,
                    GlobalPartitioner.class,
                    BroadcastPartitioner.class);

    private final StreamExecutionEnvironment env;
    private final int firstBodyTransformationId;
    private final boolean lockStep;
    private final DraftEnvironment draftEnvironment;
    private final Map<Transformation<?>, Transformation<?>> translated = new IdentityHashMap<>();

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
        this.env = env;
        this.firstBodyTransformationId = firstBodyTransformationId;
        this.lockStep = lockStep;
        this.draftEnvironment = draftEnvironment;
    }

    private boolean perRound(Transformation<?> draft) {
        if (draftEnvironment.lifecycleOf(draft) != OperatorLifecycle.PER_ROUND) {
            return false;
        }
        if (draft instanceof AbstractMultipleInputTransformation) {
            throw new IllegalArgumentException(
                    "The iteration body creates "
                            + describe(draft)
                            + ", an operator with more than two inputs, with a per-round"
                            + " lifecycle; per-round operators have one or two inputs. Create it"
                            + " outside forEachRound, or connect its inputs two at a time.");
        }
        return true;
    }

    /** Makes {@code placeholder} stand for {@code entry}, a stream of iteration records. */
    public void bind(PlaceholderTransformation<?> placeholder, Transformation<?> entry) {
        translated.put(placeholder, entry);
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
        if (draft instanceof OneInputTransformation) {
            return translateOneInput((OneInputTransformation<?, ?>) draft);
        }
        if (draft instanceof TwoInputTransformation) {
            return translateTwoInput((TwoInputTransformation<?, ?, ?>) draft);
        }
        if (draft instanceof AbstractMultipleInputTransformation) {
            return translateMultipleInput((AbstractMultipleInputTransformation<?>) draft);
        }
        if (draft instanceof ReduceTransformation) {
            return translateReduce((ReduceTransformation<?, ?>) draft);
        }
        if (draft instanceof PartitionTransformation) {
            return translatePartition((PartitionTransformation<?>) draft);
        }
        if (draft instanceof UnionTransformation) {
            return translateUnion((UnionTransformation<?>) draft);
        }
        if (draft instanceof SideOutputTransformation) {
            return translateSideOutput((SideOutputTransformation<?>) draft);
        }
        if (draft instanceof BroadcastStateTransformation) {
            return translateBroadcast((BroadcastStateTransformation<?, ?, ?>) draft);
        }
        if (draft instanceof KeyedBroadcastStateTransformation) {
            return translateKeyedBroadcast((KeyedBroadcastStateTransformation<?, ?, ?, ?>) draft);
        }
        throw new IllegalArgumentException(
                "The iteration body uses "
                        + describe(draft)
                        + " of kind "
                        + draft.getClass().getSimpleName()
                        + ", which cannot run inside an iteration.");
    }

    @SuppressWarnings("unchecked") // key selectors are applied to the value inside
    private <IN, OUT> Transformation<?> translateOneInput(OneInputTransformation<IN, OUT> draft) {
        StreamOperatorFactory<OUT> factory = operatorFactory(draft, draft.getOperatorFactory());
        OneInputTransformation<IterationRecord<IN>, IterationRecord<OUT>> real =
                new OneInputTransformation<>(
                        inputOf(draft, 0),
                        draft.getName(),
                        new RoundWrapperOperatorFactory<>(
                                factory, Arity.ONE, lockStep, perRound(draft)),
                        recordType(draft.getOutputType()),
                        draft.getParallelism(),
                        draft.isParallelismConfigured());
        if (draft.getStateKeySelector() != null) {
            real.setStateKeySelector(valueKeySelector(draft.getStateKeySelector()));
            real.setStateKeyType(draft.getStateKeyType());
        }
        return copyProperties(draft, real);
    }

    @SuppressWarnings("unchecked") // key selectors are applied to the value inside
    private <IN1, IN2, OUT> Transformation<?> translateTwoInput(
            TwoInputTransformation<IN1, IN2, OUT> draft) {
        StreamOperatorFactory<OUT> factory = operatorFactory(draft, draft.getOperatorFactory());
        TwoInputTransformation<IterationRecord<IN1>, IterationRecord<IN2>, IterationRecord<OUT>>
                real =
                        new TwoInputTransformation<>(
                                inputOf(draft, 0),
                                inputOf(draft, 1),
                                draft.getName(),
                                new RoundWrapperOperatorFactory<>(
                                        factory, Arity.TWO, lockStep, perRound(draft)),
                                recordType(draft.getOutputType()),
                                draft.getParallelism(),
                                draft.isParallelismConfigured());
        if (draft.getStateKeySelector1() != null || draft.getStateKeySelector2() != null) {
            real.setStateKeySelectors(
                    draft.getStateKeySelector1() == null
                            ? null
                            : valueKeySelector(draft.getStateKeySelector1()),
                    draft.getStateKeySelector2() == null
                            ? null
                            : valueKeySelector(draft.getStateKeySelector2()));
            real.setStateKeyType(draft.getStateKeyType());
        }
        return copyProperties(draft, real);
    }

    private <OUT> Transformation<?> translateMultipleInput(
            AbstractMultipleInputTransformation<OUT> draft) {
        RoundWrapperOperatorFactory<OUT> factory =
                new RoundWrapperOperatorFactory<>(
                        operatorFactory(draft, draft.getOperatorFactory()),
                        Arity.MULTIPLE,
                        lockStep,
                        perRound(draft));
        TypeInformation<IterationRecord<OUT>> type = recordType(draft.getOutputType());
        if (draft instanceof KeyedMultipleInputTransformation) {
            KeyedMultipleInputTransformation<OUT> keyedDraft =
                    (KeyedMultipleInputTransformation<OUT>) draft;
            KeyedMultipleInputTransformation<IterationRecord<OUT>> real =
                    new KeyedMultipleInputTransformation<>(
                            draft.getName(),
                            factory,
                            type,
                            draft.getParallelism(),
                            keyedDraft.getStateKeyType());
            for (int i = 0; i < draft.getInputs().size(); i++) {
                KeySelector<?, ?> selector = keyedDraft.getStateKeySelectors().get(i);
                real.addInput(
                        inputOf(draft, i), selector == null ? null : valueKeySelector(selector));
            }
            return copyProperties(draft, real);
        }
        if (!(draft instanceof MultipleInputTransformation)) {
            throw new IllegalArgumentException(
                    "Unsupported multiple-input transformation " + describe(draft));
        }
        MultipleInputTransformation<IterationRecord<OUT>> real =
                new MultipleInputTransformation<>(
                        draft.getName(), factory, type, draft.getParallelism());
        for (int i = 0; i < draft.getInputs().size(); i++) {
            real.addInput(inputOf(draft, i));
        }
        return copyProperties(draft, real);
    }

    @SuppressWarnings("unchecked") // key selectors are applied to the value inside
    private <IN, K> Transformation<?> translateReduce(ReduceTransformation<IN, K> draft) {
        if (draft.isEnableAsyncState()) {
            throw asyncStateUnsupported(draft);
        }
        StreamGroupedReduceOperator<IN> operator =
                new StreamGroupedReduceOperator<>(
                        draft.getReducer(),
                        draft.getInputType()
                                .createSerializer(env.getConfig().getSerializerConfig()));
        OneInputTransformation<IterationRecord<IN>, IterationRecord<IN>> real =
                new OneInputTransformation<>(
                        inputOf(draft, 0),
                        draft.getName(),
                        new RoundWrapperOperatorFactory<>(
                                SimpleOperatorFactory.of(operator),
                                Arity.ONE,
                                lockStep,
                                perRound(draft)),
                        recordType(draft.getOutputType()),
                        draft.getParallelism(),
                        draft.isParallelismConfigured());
        real.setStateKeySelector(valueKeySelector(draft.getKeySelector()));
        real.setStateKeyType(draft.getKeyTypeInfo());
        return copyProperties(draft, real);
    }

    @SuppressWarnings("unchecked")
    private <T> Transformation<?> translatePartition(PartitionTransformation<T> draft) {
        if (draft.getExchangeMode() == StreamExchangeMode.BATCH) {
            throw new IllegalArgumentException(
                    "The iteration body uses a blocking exchange in "
                            + describe(draft)
                            + "; inside a loop it would never finish. Use a pipelined exchange.");
        }
        StreamPartitioner<T> partitioner = draft.getPartitioner();
        StreamPartitioner<IterationRecord<T>> realPartitioner =
                VALUE_INDEPENDENT_PARTITIONERS.contains(partitioner.getClass())
                        ? (StreamPartitioner<IterationRecord<T>>)
                                (StreamPartitioner<?>) partitioner.copy()
                        : new ValuePartitioner<>(partitioner.copy());
        PartitionTransformation<IterationRecord<T>> real =
                new PartitionTransformation<>(
                        inputOf(draft, 0), realPartitioner, draft.getExchangeMode());
        return copyProperties(draft, real);
    }

    private <T> Transformation<?> translateUnion(UnionTransformation<T> draft) {
        List<Transformation<IterationRecord<T>>> inputs = new ArrayList<>();
        for (int i = 0; i < draft.getInputs().size(); i++) {
            inputs.add(inputOf(draft, i));
        }
        return copyProperties(draft, new UnionTransformation<>(inputs));
    }

    private <T> Transformation<?> translateSideOutput(SideOutputTransformation<T> draft) {
        OutputTag<T> tag = draft.getOutputTag();
        OutputTag<IterationRecord<T>> realTag =
                new OutputTag<>(tag.getId(), recordType(tag.getTypeInfo()));
        return copyProperties(draft, new SideOutputTransformation<>(inputOf(draft, 0), realTag));
    }

    private <IN1, IN2, OUT> Transformation<?> translateBroadcast(
            BroadcastStateTransformation<IN1, IN2, OUT> draft) {
        CoBroadcastWithNonKeyedOperator<IN1, IN2, OUT> operator =
                new CoBroadcastWithNonKeyedOperator<>(
                        draft.getUserFunction(), draft.getBroadcastStateDescriptors());
        StreamOperatorFactory<OUT> factory = SimpleOperatorFactory.of(operator);
        factory.setChainingStrategy(draft.getChainingStrategy());
        TwoInputTransformation<IterationRecord<IN1>, IterationRecord<IN2>, IterationRecord<OUT>>
                real =
                        new TwoInputTransformation<>(
                                translate(draft.getRegularInput()),
                                translate(draft.getBroadcastInput()),
                                draft.getName(),
                                new RoundWrapperOperatorFactory<>(
                                        factory, Arity.TWO, lockStep, perRound(draft)),
                                recordType(draft.getOutputType()),
                                draft.getParallelism(),
                                draft.isParallelismConfigured());
        return copyProperties(draft, real);
    }

    @SuppressWarnings("unchecked") // key selectors are applied to the value inside
    private <K, IN1, IN2, OUT> Transformation<?> translateKeyedBroadcast(
            KeyedBroadcastStateTransformation<K, IN1, IN2, OUT> draft) {
        CoBroadcastWithKeyedOperator<K, IN1, IN2, OUT> operator =
                new CoBroadcastWithKeyedOperator<>(
                        draft.getUserFunction(), draft.getBroadcastStateDescriptors());
        StreamOperatorFactory<OUT> factory = SimpleOperatorFactory.of(operator);
        factory.setChainingStrategy(draft.getChainingStrategy());
        TwoInputTransformation<IterationRecord<IN1>, IterationRecord<IN2>, IterationRecord<OUT>>
                real =
                        new TwoInputTransformation<>(
                                translate(draft.getRegularInput()),
                                translate(draft.getBroadcastInput()),
                                draft.getName(),
                                new RoundWrapperOperatorFactory<>(
                                        factory, Arity.TWO, lockStep, perRound(draft)),
                                recordType(draft.getOutputType()),
                                draft.getParallelism(),
                                draft.isParallelismConfigured());
        real.setStateKeySelectors(valueKeySelector(draft.getKeySelector()), null);
        real.setStateKeyType(draft.getStateKeyType());
        return copyProperties(draft, real);
    }

    private <OUT> StreamOperatorFactory<OUT> operatorFactory(
            Transformation<?> draft, StreamOperatorFactory<OUT> factory) {
        if (factory instanceof CoordinatedOperatorFactory) {
            throw new IllegalArgumentException(
                    "The iteration body uses "
                            + describe(draft)
                            + ", whose operator has an operator coordinator; such operators"
                            + " cannot run inside an iteration.");
        }
        return factory;
    }

    @SuppressWarnings("unchecked")
    private <T> Transformation<IterationRecord<T>> inputOf(Transformation<?> draft, int index) {
        return translate((Transformation<T>) draft.getInputs().get(index));
    }

    private static <T> TypeInformation<IterationRecord<T>> recordType(TypeInformation<T> type) {
        return new IterationRecordTypeInfo<>(type);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static KeySelector valueKeySelector(KeySelector<?, ?> selector) {
        return new ValueKeySelector(selector);
    }

    private static IllegalArgumentException asyncStateUnsupported(Transformation<?> draft) {
        return new IllegalArgumentException(
                "The iteration body enables async state on "
                        + describe(draft)
                        + "; async state is not supported inside an iteration.");
    }

    static String describe(Transformation<?> t) {
        return "'" + t.getName() + "' (transformation " + t.getId() + ")";
    }

    /** Carries the user's settings of a draft transformation over to its translation. */
    static <T extends Transformation<?>> T copyProperties(Transformation<?> from, T to) {
        if (from.getUid() != null) {
            to.setUid(from.getUid());
        }
        if (from.getUserProvidedNodeHash() != null) {
            to.setUidHash(from.getUserProvidedNodeHash());
        }
        if (from.getDescription() != null) {
            to.setDescription(from.getDescription());
        }
        if (from.getMaxParallelism() > 0) {
            to.setMaxParallelism(from.getMaxParallelism());
        }
        from.getSlotSharingGroup().ifPresent(to::setSlotSharingGroup);
        if (from.getCoLocationGroupKey() != null) {
            to.setCoLocationGroupKey(from.getCoLocationGroupKey());
        }
        to.setBufferTimeout(from.getBufferTimeout());
        if (from.getMinResources() != null && from.getPreferredResources() != null) {
            to.setResources(from.getMinResources(), from.getPreferredResources());
        }
        from.getManagedMemoryOperatorScopeUseCaseWeights()
                .forEach(to::declareManagedMemoryUseCaseAtOperatorScope);
        from.getManagedMemorySlotScopeUseCases()
                .forEach(to::declareManagedMemoryUseCaseAtSlotScope);
        return to;
    }
}
