package io.github.flinkiteration.tf.runtime;

import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.types.Row;

/**
 * Turns a row into a {@link TrainingExample}: the numeric feature columns (by position) into
 * floats, the label column into a float, and a per-subtask sequence number for partitioning.
 */
public final class RowToExample extends RichMapFunction<Row, TrainingExample> {

    private final int[] featurePositions;
    private final String[] featureNames;
    private final int labelPosition;
    private final String labelName;
    private transient long sequence;

    public RowToExample(
            int[] featurePositions, String[] featureNames, int labelPosition, String labelName) {
        this.featurePositions = featurePositions;
        this.featureNames = featureNames;
        this.labelPosition = labelPosition;
        this.labelName = labelName;
    }

    @Override
    public TrainingExample map(Row row) {
        float[] features = new float[featurePositions.length];
        for (int i = 0; i < features.length; i++) {
            features[i] = number(row, featurePositions[i], featureNames[i]);
        }
        return new TrainingExample(sequence++, features, number(row, labelPosition, labelName));
    }

    /**
     * Column {@code name} (at {@code position}) of {@code row} as a float; fails if not a number.
     */
    static float number(Row row, int position, String name) {
        Object value = row.getField(position);
        if (!(value instanceof Number)) {
            throw new IllegalArgumentException(
                    "column "
                            + name
                            + " holds "
                            + (value == null ? "null" : value.getClass().getSimpleName())
                            + " in row "
                            + row
                            + "; the model needs a number in every row");
        }
        return ((Number) value).floatValue();
    }
}
