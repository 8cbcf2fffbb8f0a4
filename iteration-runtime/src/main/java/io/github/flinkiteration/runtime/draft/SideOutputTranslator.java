package io.github.flinkiteration.runtime.draft;

import static io.github.flinkiteration.runtime.draft.TranslationContext.recordType;

import io.github.flinkiteration.runtime.record.IterationRecord;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.transformations.SideOutputTransformation;
import org.apache.flink.util.OutputTag;

/**
 * Translates the selection of a side output. The tag keeps its id, which the wrapped operator emits
 * under, and gets the iteration record type.
 */
final class SideOutputTranslator {

    private final TranslationContext context;

    SideOutputTranslator(TranslationContext context) {
        this.context = context;
    }

    <T> Transformation<?> translate(SideOutputTransformation<T> draft) {
        OutputTag<T> tag = draft.getOutputTag();
        OutputTag<IterationRecord<T>> realTag =
                new OutputTag<>(tag.getId(), recordType(tag.getTypeInfo()));
        return TransformationSettings.copy(
                draft, new SideOutputTransformation<>(context.inputOf(draft, 0), realTag));
    }
}
