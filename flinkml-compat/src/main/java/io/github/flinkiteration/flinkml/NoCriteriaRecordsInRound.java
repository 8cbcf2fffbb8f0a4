package io.github.flinkiteration.flinkml;

import io.github.flinkiteration.api.ConvergenceCriterion;

/**
 * flink-ml's criteria-stream rule on the counts of {@link CriteriaRecordCounter}: stop after a
 * round in which no subtask of the criteria stream received a record.
 */
final class NoCriteriaRecordsInRound implements ConvergenceCriterion<Long> {

    private static final long serialVersionUID = 1L;

    @Override
    public boolean isConverged(Context<Long> context) {
        return context.getStreamRecords().stream().allMatch(count -> count == 0);
    }

    // Names the termination-check operator in the job graph and the metrics.
    @Override
    public String toString() {
        return "criteria stream empty";
    }
}
