package io.github.flinkiteration.runtime.draft;

import static io.github.flinkiteration.runtime.draft.TranslationContext.describe;

import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.wrapper.ValuePartitioner;
import java.util.Set;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.transformations.PartitionTransformation;
import org.apache.flink.streaming.api.transformations.StreamExchangeMode;
import org.apache.flink.streaming.runtime.partitioner.BroadcastPartitioner;
import org.apache.flink.streaming.runtime.partitioner.ForwardPartitioner;
import org.apache.flink.streaming.runtime.partitioner.GlobalPartitioner;
import org.apache.flink.streaming.runtime.partitioner.RebalancePartitioner;
import org.apache.flink.streaming.runtime.partitioner.RescalePartitioner;
import org.apache.flink.streaming.runtime.partitioner.ShufflePartitioner;
import org.apache.flink.streaming.runtime.partitioner.StreamPartitioner;

/**
 * Translates exchanges between operators. A partitioner that never looks at a record is kept as it
 * is; any other reads the value inside the iteration record.
 */
final class PartitionTranslator {

    private static final Set<Class<?>> VALUE_INDEPENDENT_PARTITIONERS =
            Set.of(
                    ForwardPartitioner.class,
                    RebalancePartitioner.class,
                    RescalePartitioner.class,
                    ShufflePartitioner.class,
                    GlobalPartitioner.class,
                    BroadcastPartitioner.class);

    private final TranslationContext context;

    PartitionTranslator(TranslationContext context) {
        this.context = context;
    }

    @SuppressWarnings("unchecked")
    <T> Transformation<?> translate(PartitionTransformation<T> draft) {
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
                        context.inputOf(draft, 0),
                        realPartitioner,
                        context.edges().exchangeMode(draft.getExchangeMode()));
        return TransformationSettings.copy(draft, real);
    }
}
