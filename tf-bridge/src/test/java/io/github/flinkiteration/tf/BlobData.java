package io.github.flinkiteration.tf;

import io.github.flinkiteration.tf.estimator.TFEstimator;
import io.github.flinkiteration.tf.model.LogisticRegressionDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.types.Row;

/**
 * Two Gaussian blobs (standard deviation 1) in {@link #DIMENSIONS} dimensions, centred at −c and +c
 * with c = (1.5, −1.5, 1, −1); label 1 for the +c blob. As |c| ≈ 2.55, the best boundary (a
 * hyperplane) errs on about 0.5 % of the rows: Φ(−2.55).
 */
final class BlobData {

    static final int DIMENSIONS = 4;
    static final String[] FEATURES = {"x0", "x1", "x2", "x3"};
    static final String LABEL = "label";
    private static final double[] CENTRE = {1.5, -1.5, 1, -1};

    private BlobData() {}

    /** An estimator of logistic regression on these features and label; tests add the rest. */
    static TFEstimator logisticRegression() {
        return new TFEstimator()
                .setInputCols(FEATURES)
                .setLabelCol(LABEL)
                .setModelDefinition(new LogisticRegressionDefinition());
    }

    static TypeInformation<Row> rowType() {
        return Types.ROW_NAMED(
                new String[] {"x0", "x1", "x2", "x3", "label"},
                Types.DOUBLE,
                Types.DOUBLE,
                Types.DOUBLE,
                Types.DOUBLE,
                Types.INT);
    }

    static List<Row> rows(int count, long seed) {
        Random random = new Random(seed);
        List<Row> rows = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            rows.add(row(random));
        }
        return rows;
    }

    /** Row {@code index} of an endless blob stream: the same for the same index and seed. */
    static Row row(long index, long seed) {
        return row(new Random(seed * 1_000_003L + index));
    }

    /** A row of a random blob: its features around the blob's centre, then its label. */
    private static Row row(Random random) {
        int label = random.nextBoolean() ? 1 : 0;
        double sign = label == 1 ? 1 : -1;
        Row row = new Row(DIMENSIONS + 1);
        for (int j = 0; j < DIMENSIONS; j++) {
            row.setField(j, sign * CENTRE[j] + random.nextGaussian());
        }
        row.setField(DIMENSIONS, label);
        return row;
    }

    static float[] features(Row row) {
        float[] features = new float[DIMENSIONS];
        for (int j = 0; j < DIMENSIONS; j++) {
            features[j] = ((Double) row.getField(j)).floatValue();
        }
        return features;
    }

    static float label(Row row) {
        return ((Integer) row.getField(DIMENSIONS)).floatValue();
    }
}
