package io.github.flinkiteration.api;

import java.util.List;

/** {@link ConvergenceCriterion#deltaBelow}: the round's summed loss barely moved. */
final class DeltaBelow implements ConvergenceCriterion<Double> {

    private static final long serialVersionUID = 1L;

    private final double tolerance;

    DeltaBelow(double tolerance) {
        this.tolerance = tolerance;
    }

    @Override
    public boolean isConverged(Context<Double> context) {
        if (context.getRound() < 1) {
            return false;
        }
        return Math.abs(sum(context.getStreamRecords()) - sum(context.getPreviousStreamRecords()))
                < tolerance;
    }

    private static double sum(List<Double> values) {
        double sum = 0;
        for (Double v : values) {
            sum += v;
        }
        return sum;
    }

    @Override
    public String toString() {
        return "deltaBelow(" + tolerance + ")";
    }
}
