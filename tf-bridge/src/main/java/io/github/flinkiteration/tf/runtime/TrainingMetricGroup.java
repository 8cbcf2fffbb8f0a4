package io.github.flinkiteration.tf.runtime;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.MetricGroup;

/**
 * Where tf-bridge's metrics live: under the same {@code iteration} key/value group as the iteration
 * runtime's, so that both carry the label {@code iteration="<name>"} and a dashboard joins them on
 * it, then in a {@code tf} group of their own.
 */
final class TrainingMetricGroup {

    private TrainingMetricGroup() {}

    static MetricGroup of(RuntimeContext context, String iterationName) {
        return context.getMetricGroup().addGroup("iteration", iterationName).addGroup("tf");
    }
}
