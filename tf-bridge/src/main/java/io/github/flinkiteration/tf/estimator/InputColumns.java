package io.github.flinkiteration.tf.estimator;

import io.github.flinkiteration.tf.params.InvalidParameterException;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeFamily;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

/** The names and types of the columns a training reads from, to check parameters against. */
final class InputColumns {

    private static final Set<Class<?>> NUMBERS =
            Set.of(
                    Byte.class,
                    Short.class,
                    Integer.class,
                    Long.class,
                    Float.class,
                    Double.class,
                    BigDecimal.class);

    /** What a column holds, as far as a model is concerned. */
    enum Kind {
        NUMBER,
        VECTOR,
        STRING,
        OTHER
    }

    private static final Set<Class<?>> INTEGERS =
            Set.of(Byte.class, Short.class, Integer.class, Long.class);

    private final List<String> names;
    private final String[] typeNames;
    private final Kind[] kinds;
    private final boolean[] integral;

    private InputColumns(List<String> names, String[] typeNames, Kind[] kinds, boolean[] integral) {
        this.names = names;
        this.typeNames = typeNames;
        this.kinds = kinds;
        this.integral = integral;
    }

    /** The columns of a stream of rows; {@code method} (fit, transform) is named in errors. */
    static InputColumns of(TypeInformation<?> rowType, String method) {
        if (!(rowType instanceof RowTypeInfo)) {
            throw new IllegalArgumentException(
                    "the input stream's type is "
                            + rowType
                            + "; "
                            + method
                            + " needs rows with named columns: give the stream a RowTypeInfo"
                            + " (e.g. .returns(Types.ROW_NAMED(names, types))) or pass a Table");
        }
        RowTypeInfo row = (RowTypeInfo) rowType;
        String[] typeNames = new String[row.getArity()];
        Kind[] kinds = new Kind[row.getArity()];
        boolean[] integral = new boolean[row.getArity()];
        for (int i = 0; i < typeNames.length; i++) {
            TypeInformation<?> type = row.getTypeAt(i);
            typeNames[i] = type.toString();
            kinds[i] = kindOf(type);
            integral[i] = INTEGERS.contains(type.getTypeClass());
        }
        return new InputColumns(Arrays.asList(row.getFieldNames()), typeNames, kinds, integral);
    }

    private static Kind kindOf(TypeInformation<?> type) {
        Class<?> typeClass = type.getTypeClass();
        if (NUMBERS.contains(typeClass)) {
            return Kind.NUMBER;
        }
        if (typeClass == String.class) {
            return Kind.STRING;
        }
        if (typeClass == float[].class || typeClass == double[].class) {
            return Kind.VECTOR;
        }
        if (typeClass.isArray() && NUMBERS.contains(typeClass.getComponentType())) {
            return Kind.VECTOR; // Float[], Double[], ...
        }
        return Kind.OTHER;
    }

    static InputColumns of(ResolvedSchema schema) {
        List<DataType> types = schema.getColumnDataTypes();
        String[] typeNames = new String[types.size()];
        Kind[] kinds = new Kind[types.size()];
        boolean[] integral = new boolean[types.size()];
        for (int i = 0; i < typeNames.length; i++) {
            typeNames[i] = types.get(i).toString();
            kinds[i] = kindOf(types.get(i).getLogicalType());
            integral[i] = types.get(i).getLogicalType().is(LogicalTypeFamily.INTEGER_NUMERIC);
        }
        return new InputColumns(schema.getColumnNames(), typeNames, kinds, integral);
    }

    private static Kind kindOf(LogicalType type) {
        if (type.is(LogicalTypeFamily.NUMERIC)) {
            return Kind.NUMBER;
        }
        if (type.is(LogicalTypeFamily.CHARACTER_STRING)) {
            return Kind.STRING;
        }
        if (type.is(LogicalTypeRoot.ARRAY)
                && ((ArrayType) type).getElementType().is(LogicalTypeFamily.NUMERIC)) {
            return Kind.VECTOR;
        }
        return Kind.OTHER;
    }

    /** The position of numeric column {@code name}; fails naming {@code parameter} otherwise. */
    int numericColumn(String name, String parameter) {
        int position = names.indexOf(name);
        if (position < 0) {
            throw new InvalidParameterException(
                    parameter, "there is no column " + name + "; the input has columns " + names);
        }
        if (kinds[position] != Kind.NUMBER) {
            throw new InvalidParameterException(
                    parameter,
                    "column "
                            + name
                            + " is "
                            + typeNames[position]
                            + "; the model needs a numeric column");
        }
        return position;
    }

    /**
     * The position of feature column {@code name} holding {@code size} values: a number for size 1,
     * a vector otherwise. {@code sizeGiven} says whether the size was set (setInputSizes) or is the
     * default 1; fails naming {@code parameter} otherwise.
     */
    int featureColumn(String name, int size, boolean sizeGiven, String parameter) {
        int position = column(name, parameter);
        Kind kind = kinds[position];
        if (kind == Kind.VECTOR && !sizeGiven) {
            throw new InvalidParameterException(
                    parameter,
                    "column "
                            + name
                            + " is a vector ("
                            + typeNames[position]
                            + "); say how many values it holds with setInputSizes(...), one size"
                            + " per input column (1 for a number)");
        }
        if (kind == Kind.NUMBER && size != 1) {
            throw new InvalidParameterException(
                    "inputSizes",
                    "column "
                            + name
                            + " is a number ("
                            + typeNames[position]
                            + "), so its size is 1, not "
                            + size);
        }
        if (kind != Kind.NUMBER && kind != Kind.VECTOR) {
            throw new InvalidParameterException(
                    parameter,
                    "column "
                            + name
                            + " is "
                            + typeNames[position]
                            + "; a feature column holds a number or a vector of numbers"
                            + (kind == Kind.STRING
                                    ? " (strings reach a model only through a SavedModel"
                                            + " signature that takes a string input)"
                                    : ""));
        }
        return position;
    }

    /** The position of column {@code name}; fails naming {@code parameter} when it is missing. */
    int column(String name, String parameter) {
        int position = names.indexOf(name);
        if (position < 0) {
            throw new InvalidParameterException(
                    parameter, "there is no column " + name + "; the input has columns " + names);
        }
        return position;
    }

    /** Whether column {@code position} holds whole numbers (TINYINT to BIGINT, byte to long). */
    boolean isIntegral(int position) {
        return integral[position];
    }

    Kind kind(int position) {
        return kinds[position];
    }

    String typeName(int position) {
        return typeNames[position];
    }

    boolean contains(String name) {
        return names.contains(name);
    }
}
