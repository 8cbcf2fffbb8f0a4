package io.github.flinkiteration.tf.estimator;

import io.github.flinkiteration.tf.runtime.OutputKind;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.runtime.typeutils.ExternalTypeInfo;
import org.apache.flink.table.types.DataType;
import org.apache.flink.types.Row;

/**
 * The type of the rows a Table transform hands back to the Table API. Kept apart from {@link
 * TFModel} so that a job using only DataStreams needs no Table runtime classes: the JVM loads this
 * class only when a Table is transformed.
 */
final class TableRowTypes {

    private TableRowTypes() {}

    /** {@code schema}'s columns, then the output columns and the BIGINT version column. */
    static TypeInformation<Row> extended(
            ResolvedSchema schema,
            String[] outputCols,
            OutputKind[] outputKinds,
            String versionCol) {
        List<DataTypes.Field> fields = new ArrayList<>();
        for (Column column : schema.getColumns()) {
            fields.add(DataTypes.FIELD(column.getName(), column.getDataType()));
        }
        for (int o = 0; o < outputCols.length; o++) {
            fields.add(DataTypes.FIELD(outputCols[o], dataType(outputKinds[o])));
        }
        fields.add(DataTypes.FIELD(versionCol, DataTypes.BIGINT()));
        return ExternalTypeInfo.of(DataTypes.ROW(fields));
    }

    private static DataType dataType(OutputKind kind) {
        switch (kind) {
            case FLOAT:
                return DataTypes.FLOAT();
            case DOUBLE:
                return DataTypes.DOUBLE();
            default:
                // The scoring operator emits float[]: a primitive array bridges ARRAY<FLOAT>.
                return DataTypes.ARRAY(DataTypes.FLOAT().notNull()).bridgedTo(float[].class);
        }
    }
}
