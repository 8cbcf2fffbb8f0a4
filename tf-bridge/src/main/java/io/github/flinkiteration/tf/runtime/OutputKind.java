package io.github.flinkiteration.tf.runtime;

import org.apache.flink.api.common.typeinfo.TypeInformation;

/** What an output column holds: one float, one double, or all of a row's values as a float[]. */
public enum OutputKind {
    FLOAT,
    DOUBLE,
    FLOAT_ARRAY;

    /** The kind of an output column of {@code type} (Types.FLOAT, DOUBLE or a float[]). */
    public static OutputKind of(TypeInformation<?> type) {
        Class<?> typeClass = type.getTypeClass();
        if (typeClass == Float.class) {
            return FLOAT;
        }
        if (typeClass == Double.class) {
            return DOUBLE;
        }
        if (typeClass == float[].class) {
            return FLOAT_ARRAY;
        }
        throw new IllegalArgumentException(
                type + " is not an output type; use Types.FLOAT, Types.DOUBLE or float[]");
    }

    /** Whether a column of this kind holds one value per row. */
    public boolean isScalar() {
        return this != FLOAT_ARRAY;
    }

    /** The column value for the {@code width} values at {@code offset} of {@code values}. */
    Object value(float[] values, int offset, int width) {
        switch (this) {
            case FLOAT:
                return values[offset];
            case DOUBLE:
                return (double) values[offset];
            default:
                float[] vector = new float[width];
                System.arraycopy(values, offset, vector, 0, width);
                return vector;
        }
    }
}
