package io.github.flinkiteration.runtime.draft;

import org.apache.flink.api.dag.Transformation;

/**
 * The settings a user can make on a transformation that its translation keeps: uid and uid hash,
 * description, max parallelism, slot sharing and co-location, buffer timeout, resources and managed
 * memory. Parallelism is not among them: each translator passes it to the constructor.
 */
final class TransformationSettings {

    private TransformationSettings() {}

    /** Carries the settings of {@code from} over to {@code to}, and returns {@code to}. */
    static <T extends Transformation<?>> T copy(Transformation<?> from, T to) {
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
