package io.github.flinkiteration.flinkml.iteration;

import io.github.flinkiteration.api.ConvergenceCriterion;

/** flink-ml's criteria-stream rule: stop after a round in which the stream received nothing. */
final class NoRecordsInRound<T> implements ConvergenceCriterion<T> {

    private static final long serialVersionUID = 1L;

    @Override
    public boolean isConverged(Context<T> context) {
        return context.getStreamRecords().isEmpty();
    }

    // Names the termination-check operator in the job graph and the metrics.
    @Override
    public String toString() {
        return "criteria stream empty";
    }
}
