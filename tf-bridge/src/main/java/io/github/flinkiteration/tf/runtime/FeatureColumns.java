package io.github.flinkiteration.tf.runtime;

import java.io.Serializable;
import org.apache.flink.types.Row;

/**
 * The columns that make up a row's feature vector, in the model's order: scalar numbers (one value)
 * and vector columns ({@code float[]}, {@code double[]}, or boxed arrays such as the {@code
 * Float[]} a Table's {@code ARRAY<FLOAT>} becomes) of a fixed size, concatenated.
 */
public final class FeatureColumns implements Serializable {

    private final int[] positions;
    private final String[] names;
    private final int[] sizes;
    private final int width;

    /** Columns {@code names} at {@code positions} holding {@code sizes} values each. */
    public FeatureColumns(int[] positions, String[] names, int[] sizes) {
        this.positions = positions.clone();
        this.names = names.clone();
        this.sizes = sizes.clone();
        int total = 0;
        for (int size : sizes) {
            total += size;
        }
        this.width = total;
    }

    /** The number of feature values per row: the sum of the column sizes. */
    public int width() {
        return width;
    }

    int[] positions() {
        return positions.clone();
    }

    int[] sizes() {
        return sizes.clone();
    }

    /** The column names, in order. */
    public String[] names() {
        return names.clone();
    }

    /** Writes {@code row}'s features as floats into {@code target} from {@code offset}. */
    void write(Row row, float[] target, int offset) {
        int at = offset;
        for (int c = 0; c < positions.length; c++) {
            at += write(row, positions[c], names[c], sizes[c], target, at);
        }
    }

    /** {@code row}'s features as a new array. */
    float[] read(Row row) {
        float[] features = new float[width];
        write(row, features, 0);
        return features;
    }

    /**
     * Writes column {@code name} (at {@code position}) of {@code row}, which must hold {@code size}
     * values, into {@code target} at {@code offset}; returns {@code size}. Fails naming the column
     * and the row when the value is missing, not numeric or of another length.
     */
    static int write(Row row, int position, String name, int size, float[] target, int offset) {
        Object value = row.getField(position);
        if (value instanceof Number && size == 1) {
            target[offset] = ((Number) value).floatValue();
            return 1;
        }
        int length = vectorLength(value);
        if (length < 0) {
            throw new IllegalArgumentException(
                    "column "
                            + name
                            + " holds "
                            + (value == null ? "null" : value.getClass().getSimpleName())
                            + " in row "
                            + row
                            + "; the model needs "
                            + (size == 1 ? "a number" : "a vector of " + size + " numbers")
                            + " in every row");
        }
        if (length != size) {
            throw new IllegalArgumentException(
                    "column "
                            + name
                            + " holds a vector of "
                            + length
                            + " values in row "
                            + row
                            + ", but the model takes "
                            + size
                            + " from it (setInputSizes)");
        }
        copyVector(value, target, offset, name, row);
        return size;
    }

    /** The length of a vector value, or -1 when {@code value} is not a vector. */
    static int vectorLength(Object value) {
        if (value instanceof float[]) {
            return ((float[]) value).length;
        }
        if (value instanceof double[]) {
            return ((double[]) value).length;
        }
        if (value instanceof Number[]) {
            return ((Number[]) value).length;
        }
        return -1;
    }

    /** Copies a vector value (see {@link #vectorLength}) into {@code target} as floats. */
    static void copyVector(Object value, float[] target, int offset, String name, Row row) {
        if (value instanceof float[]) {
            float[] vector = (float[]) value;
            System.arraycopy(vector, 0, target, offset, vector.length);
        } else if (value instanceof double[]) {
            double[] vector = (double[]) value;
            for (int i = 0; i < vector.length; i++) {
                target[offset + i] = (float) vector[i];
            }
        } else {
            Number[] vector = (Number[]) value;
            for (int i = 0; i < vector.length; i++) {
                if (vector[i] == null) {
                    throw new IllegalArgumentException(
                            "column " + name + " holds a vector with a null in row " + row);
                }
                target[offset + i] = vector[i].floatValue();
            }
        }
    }
}
