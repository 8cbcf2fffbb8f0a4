package io.github.flinkiteration.tf;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.types.Row;

/** Blob rows with an {@code id} column first, to match the outputs of two runs row by row. */
final class IdRows {

    static final String[] TYPE_NAMES = {"id", "x0", "x1", "x2", "x3", "label"};

    private IdRows() {}

    static TypeInformation<Row> type() {
        return Types.ROW_NAMED(
                TYPE_NAMES,
                Types.LONG,
                Types.DOUBLE,
                Types.DOUBLE,
                Types.DOUBLE,
                Types.DOUBLE,
                Types.INT);
    }

    static Row withId(long id, Row blob) {
        Row row = new Row(TYPE_NAMES.length);
        row.setField(0, id);
        for (int i = 0; i < blob.getArity(); i++) {
            row.setField(i + 1, blob.getField(i));
        }
        return row;
    }

    static List<Row> of(List<Row> blobs) {
        List<Row> rows = new ArrayList<>(blobs.size());
        for (int i = 0; i < blobs.size(); i++) {
            rows.add(withId(i, blobs.get(i)));
        }
        return rows;
    }

    static float[] features(Row row) {
        float[] features = new float[BlobData.DIMENSIONS];
        for (int j = 0; j < features.length; j++) {
            features[j] = ((Double) row.getField(j + 1)).floatValue();
        }
        return features;
    }

    static int label(Row row) {
        return (Integer) row.getField(BlobData.DIMENSIONS + 1);
    }
}
