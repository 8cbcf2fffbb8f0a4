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
import org.apache.flink.table.types.logical.LogicalTypeFamily;

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

    private final List<String> names;
    private final String[] typeNames;
    private final boolean[] numeric;

    private InputColumns(List<String> names, String[] typeNames, boolean[] numeric) {
        this.names = names;
        this.typeNames = typeNames;
        this.numeric = numeric;
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
        boolean[] numeric = new boolean[row.getArity()];
        for (int i = 0; i < typeNames.length; i++) {
            TypeInformation<?> type = row.getTypeAt(i);
            typeNames[i] = type.toString();
            numeric[i] = NUMBERS.contains(type.getTypeClass());
        }
        return new InputColumns(Arrays.asList(row.getFieldNames()), typeNames, numeric);
    }

    static InputColumns of(ResolvedSchema schema) {
        List<DataType> types = schema.getColumnDataTypes();
        String[] typeNames = new String[types.size()];
        boolean[] numeric = new boolean[types.size()];
        for (int i = 0; i < typeNames.length; i++) {
            typeNames[i] = types.get(i).toString();
            numeric[i] = types.get(i).getLogicalType().is(LogicalTypeFamily.NUMERIC);
        }
        return new InputColumns(schema.getColumnNames(), typeNames, numeric);
    }

    /** The position of numeric column {@code name}; fails naming {@code parameter} otherwise. */
    int numericColumn(String name, String parameter) {
        int position = names.indexOf(name);
        if (position < 0) {
            throw new InvalidParameterException(
                    parameter, "there is no column " + name + "; the input has columns " + names);
        }
        if (!numeric[position]) {
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

    boolean contains(String name) {
        return names.contains(name);
    }
}
