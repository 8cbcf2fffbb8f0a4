package io.github.flinkiteration.runtime.draft;

import static io.github.flinkiteration.runtime.draft.TranslationContext.recordType;
import static io.github.flinkiteration.runtime.draft.TranslationContext.requireNoCoordinator;
import static io.github.flinkiteration.runtime.draft.TranslationContext.valueKeySelector;

import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.wrapper.RoundWrapperOperatorFactory.Arity;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.api.transformations.AbstractBroadcastStateTransformation;
import org.apache.flink.streaming.api.transformations.BroadcastStateTransformation;
import org.apache.flink.streaming.api.transformations.KeyedBroadcastStateTransformation;
import org.apache.flink.streaming.api.transformations.TwoInputTransformation;

/**
 * Translates operators with two inputs: two-input transformations (with a broadcast input taken off
 * the network where {@link BroadcastRelayTranslator} can), and broadcast-state transformations,
 * keyed or not, which become the operator Flink's own translator would create for them with the
 * regular input first and the broadcast input second.
 */
final class TwoInputTranslator {

    private final TranslationContext context;
    private final BroadcastRelayTranslator relays;

    TwoInputTranslator(TranslationContext context) {
        this.context = context;
        this.relays = new BroadcastRelayTranslator(context);
    }

    <IN1, IN2, OUT> Transformation<?> translate(TwoInputTransformation<IN1, IN2, OUT> draft) {
        StreamOperatorFactory<OUT> factory =
                requireNoCoordinator(draft, draft.getOperatorFactory());
        Transformation<?> relayed = relays.translate(draft, factory);
        if (relayed != null) {
            return relayed;
        }
        TwoInputTransformation<IterationRecord<IN1>, IterationRecord<IN2>, IterationRecord<OUT>>
                real =
                        wrapped(
                                draft,
                                context.operatorInputOf(draft, 0),
                                context.operatorInputOf(draft, 1),
                                factory);
        keyBy(
                real,
                draft.getStateKeySelector1(),
                draft.getStateKeySelector2(),
                draft.getStateKeyType());
        return TransformationSettings.copy(draft, real);
    }

    <IN1, IN2, OUT> Transformation<?> translateBroadcast(
            BroadcastStateTransformation<IN1, IN2, OUT> draft) {
        return TransformationSettings.copy(
                draft,
                withBroadcastState(
                        draft,
                        new CoBroadcastWithNonKeyedOperator<>(
                                draft.getUserFunction(), draft.getBroadcastStateDescriptors())));
    }

    <K, IN1, IN2, OUT> Transformation<?> translateKeyedBroadcast(
            KeyedBroadcastStateTransformation<K, IN1, IN2, OUT> draft) {
        TwoInputTransformation<IterationRecord<IN1>, IterationRecord<IN2>, IterationRecord<OUT>>
                real =
                        withBroadcastState(
                                draft,
                                new CoBroadcastWithKeyedOperator<>(
                                        draft.getUserFunction(),
                                        draft.getBroadcastStateDescriptors()));
        keyBy(real, draft.getKeySelector(), null, draft.getStateKeyType());
        return TransformationSettings.copy(draft, real);
    }

    /** Flink builds the operator of a broadcast-state transformation at translation; so do we. */
    private <IN1, IN2, OUT>
            TwoInputTransformation<IterationRecord<IN1>, IterationRecord<IN2>, IterationRecord<OUT>>
                    withBroadcastState(
                            AbstractBroadcastStateTransformation<IN1, IN2, OUT> draft,
                            TwoInputStreamOperator<IN1, IN2, OUT> operator) {
        StreamOperatorFactory<OUT> factory = SimpleOperatorFactory.of(operator);
        factory.setChainingStrategy(draft.getChainingStrategy());
        return wrapped(
                draft,
                context.translate(draft.getRegularInput()),
                context.translate(draft.getBroadcastInput()),
                factory);
    }

    private <IN1, IN2, OUT>
            TwoInputTransformation<IterationRecord<IN1>, IterationRecord<IN2>, IterationRecord<OUT>>
                    wrapped(
                            Transformation<OUT> draft,
                            Transformation<IterationRecord<IN1>> input1,
                            Transformation<IterationRecord<IN2>> input2,
                            StreamOperatorFactory<OUT> factory) {
        return new TwoInputTransformation<>(
                input1,
                input2,
                draft.getName(),
                context.wrap(factory, Arity.TWO, draft),
                recordType(draft.getOutputType()),
                draft.getParallelism(),
                draft.isParallelismConfigured());
    }

    /** Keys the state of {@code real} by the user's selectors, applied to the value inside. */
    @SuppressWarnings("unchecked")
    private static void keyBy(
            TwoInputTransformation<?, ?, ?> real,
            KeySelector<?, ?> selector1,
            KeySelector<?, ?> selector2,
            TypeInformation<?> keyType) {
        if (selector1 == null && selector2 == null) {
            return;
        }
        real.setStateKeySelectors(
                selector1 == null ? null : valueKeySelector(selector1),
                selector2 == null ? null : valueKeySelector(selector2));
        real.setStateKeyType(keyType);
    }
}
