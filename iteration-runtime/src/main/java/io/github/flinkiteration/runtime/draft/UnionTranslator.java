package io.github.flinkiteration.runtime.draft;

import io.github.flinkiteration.runtime.record.IterationRecord;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.transformations.UnionTransformation;

/** Translates a union of streams: the union of their translations. */
final class UnionTranslator {

    private final TranslationContext context;

    UnionTranslator(TranslationContext context) {
        this.context = context;
    }

    <T> Transformation<?> translate(UnionTransformation<T> draft) {
        List<Transformation<IterationRecord<T>>> inputs = new ArrayList<>();
        for (int i = 0; i < draft.getInputs().size(); i++) {
            inputs.add(context.inputOf(draft, i));
        }
        return TransformationSettings.copy(draft, new UnionTransformation<>(inputs));
    }
}
