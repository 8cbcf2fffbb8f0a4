package io.github.flinkiteration.runtime;

import org.apache.flink.api.dag.Transformation;

/**
 * Puts the operators of one variable (control source, head, tail, round decider) into one slot per
 * subtask: the feedback channel between head and tail is an in-process one.
 */
final class CoLocation {

    static final String DEFAULT_SLOT_SHARING_GROUP = "default";

    private final String iterationId;

    CoLocation(String iterationId) {
        this.iterationId = iterationId;
    }

    /** Co-locates {@code transformation} with the other operators of {@code variable}. */
    void colocate(String variable, Transformation<?> transformation) {
        transformation.setSlotSharingGroup(DEFAULT_SLOT_SHARING_GROUP);
        transformation.setCoLocationGroupKey("flink-iteration/" + iterationId + "/" + variable);
    }
}
