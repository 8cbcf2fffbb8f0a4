package io.github.flinkiteration.runtime.draft;

import static io.github.flinkiteration.runtime.draft.TranslationContext.describe;
import static io.github.flinkiteration.runtime.draft.TranslationContext.recordType;
import static io.github.flinkiteration.runtime.draft.TranslationContext.requireNoCoordinator;
import static io.github.flinkiteration.runtime.draft.TranslationContext.valueKeySelector;

import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.wrapper.RoundWrapperOperatorFactory.Arity;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.streaming.api.transformations.AbstractMultipleInputTransformation;
import org.apache.flink.streaming.api.transformations.KeyedMultipleInputTransformation;
import org.apache.flink.streaming.api.transformations.MultipleInputTransformation;

/** Translates operators with any number of inputs, keyed or not. */
final class MultipleInputTranslator {

    private final TranslationContext context;

    MultipleInputTranslator(TranslationContext context) {
        this.context = context;
    }

    <OUT> Transformation<?> translate(AbstractMultipleInputTransformation<OUT> draft) {
        StreamOperatorFactory<OUT> operator =
                requireNoCoordinator(draft, draft.getOperatorFactory());
        // Per-round hosting exists for one and two inputs; refused here to name the operator.
        if (context.isPerRound(draft)) {
            throw new IllegalArgumentException(
                    "The iteration body creates "
                            + describe(draft)
                            + ", an operator with more than two inputs, with a per-round"
                            + " lifecycle; per-round operators have one or two inputs. Create it"
                            + " outside forEachRound, or connect its inputs two at a time.");
        }
        StreamOperatorFactory<IterationRecord<OUT>> factory =
                context.wrap(operator, Arity.MULTIPLE, draft);
        TypeInformation<IterationRecord<OUT>> type = recordType(draft.getOutputType());
        if (draft instanceof KeyedMultipleInputTransformation<OUT> keyedDraft) {
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
                        context.operatorInputOf(draft, i),
                        selector == null ? null : valueKeySelector(selector));
            }
            return TransformationSettings.copy(draft, real);
        }
        if (!(draft instanceof MultipleInputTransformation)) {
            throw new IllegalArgumentException(
                    "The iteration body uses "
                            + describe(draft)
                            + ", a multiple-input transformation of kind "
                            + draft.getClass().getSimpleName()
                            + ", which cannot run inside an iteration. Build it with"
                            + " MultipleInputTransformation or KeyedMultipleInputTransformation.");
        }
        MultipleInputTransformation<IterationRecord<OUT>> real =
                new MultipleInputTransformation<>(
                        draft.getName(), factory, type, draft.getParallelism());
        for (int i = 0; i < draft.getInputs().size(); i++) {
            real.addInput(context.operatorInputOf(draft, i));
        }
        return TransformationSettings.copy(draft, real);
    }
}
