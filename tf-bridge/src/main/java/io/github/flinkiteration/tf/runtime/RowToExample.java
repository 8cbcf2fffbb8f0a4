package io.github.flinkiteration.tf.runtime;

import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.types.Row;

/**
 * Turns a row into a {@link TrainingExample}: the feature columns (numbers and vectors, by
 * position) into one float vector, the label column into a float, and a per-subtask sequence number
 * for partitioning. For a multi-class model the label must be a class index.
 */
public final class RowToExample extends RichMapFunction<Row, TrainingExample> {

    private final FeatureColumns features;
    private final int labelPosition;
    private final String labelName;

    /** The number of classes the label selects from; 0 when the label is any number. */
    private final int numClasses;

    private transient long sequence;

    public RowToExample(
            FeatureColumns features, int labelPosition, String labelName, int numClasses) {
        this.features = features;
        this.labelPosition = labelPosition;
        this.labelName = labelName;
        this.numClasses = numClasses;
    }

    @Override
    public TrainingExample map(Row row) {
        float label = number(row, labelPosition, labelName);
        if (numClasses > 0 && (label != Math.rint(label) || label < 0 || label >= numClasses)) {
            throw new IllegalArgumentException(
                    "label column "
                            + labelName
                            + " holds "
                            + row.getField(labelPosition)
                            + " in row "
                            + row
                            + "; the model has "
                            + numClasses
                            + " classes, so a label is a class index from 0 to "
                            + (numClasses - 1));
        }
        return new TrainingExample(sequence++, features.read(row), label);
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
