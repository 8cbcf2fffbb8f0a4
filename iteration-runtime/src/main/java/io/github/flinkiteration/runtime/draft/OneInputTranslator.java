package io.github.flinkiteration.runtime.draft;

import static io.github.flinkiteration.runtime.draft.TranslationContext.asyncStateUnsupported;
import static io.github.flinkiteration.runtime.draft.TranslationContext.recordType;
import static io.github.flinkiteration.runtime.draft.TranslationContext.requireNoCoordinator;
import static io.github.flinkiteration.runtime.draft.TranslationContext.valueKeySelector;

import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.wrapper.RoundWrapperOperatorFactory.Arity;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamGroupedReduceOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.api.transformations.ReduceTransformation;

/**
 * Translates operators with one input: one-input transformations, and keyed reductions, which
 * become the operator Flink's own translator would create for them.
 */
final class OneInputTranslator {

    private final TranslationContext context;

    OneInputTranslator(TranslationContext context) {
        this.context = context;
    }

    @SuppressWarnings("unchecked") // key selectors are applied to the value inside
    <IN, OUT> Transformation<?> translate(OneInputTransformation<IN, OUT> draft) {
        StreamOperatorFactory<OUT> factory =
                requireNoCoordinator(draft, draft.getOperatorFactory());
        OneInputTransformation<IterationRecord<IN>, IterationRecord<OUT>> real =
                wrapped(draft, context.operatorInputOf(draft, 0), factory);
        if (draft.getStateKeySelector() != null) {
            real.setStateKeySelector(valueKeySelector(draft.getStateKeySelector()));
            real.setStateKeyType(draft.getStateKeyType());
        }
        return TransformationSettings.copy(draft, real);
    }

    @SuppressWarnings("unchecked") // key selectors are applied to the value inside
    <IN, K> Transformation<?> translateReduce(ReduceTransformation<IN, K> draft) {
        if (draft.isEnableAsyncState()) {
            throw new IllegalArgumentException(asyncStateUnsupported(draft));
        }
        StreamGroupedReduceOperator<IN> operator =
                new StreamGroupedReduceOperator<>(
                        draft.getReducer(),
                        draft.getInputType().createSerializer(context.serializerConfig()));
        OneInputTransformation<IterationRecord<IN>, IterationRecord<IN>> real =
                wrapped(
                        draft,
                        context.operatorInputOf(draft, 0),
                        SimpleOperatorFactory.of(operator));
        real.setStateKeySelector(valueKeySelector(draft.getKeySelector()));
        real.setStateKeyType(draft.getKeyTypeInfo());
        return TransformationSettings.copy(draft, real);
    }

    private <IN, OUT> OneInputTransformation<IterationRecord<IN>, IterationRecord<OUT>> wrapped(
            Transformation<OUT> draft,
            Transformation<IterationRecord<IN>> input,
            StreamOperatorFactory<OUT> factory) {
        return new OneInputTransformation<>(
                input,
                draft.getName(),
                context.wrap(factory, Arity.ONE, draft),
                recordType(draft.getOutputType()),
                draft.getParallelism(),
                draft.isParallelismConfigured());
    }
}
