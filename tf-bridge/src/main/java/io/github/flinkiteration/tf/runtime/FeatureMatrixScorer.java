package io.github.flinkiteration.tf.runtime;

import org.apache.flink.types.Row;

/**
 * Scores with a model that takes one feature matrix ({@code features -> predictions}): each row's
 * feature columns are concatenated into a row of the matrix, and the output columns take the
 * prediction's values in order, or all of them when the only output column is a {@code float[]}.
 */
final class FeatureMatrixScorer implements BatchScorer {

    private final InferenceSettings settings;
    private final float[] features;

    FeatureMatrixScorer(InferenceSettings settings) {
        this.settings = settings;
        this.features = new float[settings.batchSize * settings.numFeatures()];
    }

    @Override
    public Object[][] score(ModelSession session, Row[] rows, int count) {
        int numFeatures = settings.numFeatures();
        for (int r = 0; r < count; r++) {
            settings.features.write(rows[r], features, r * numFeatures);
        }
        OutputKind[] kinds = settings.outputKinds;
        boolean wholeRow = kinds.length == 1 && !kinds[0].isScalar();
        float[] predictions = session.predict(features, count, wholeRow ? -1 : kinds.length);
        int width = wholeRow ? predictions.length / Math.max(count, 1) : kinds.length;
        Object[][] values = new Object[count][kinds.length];
        for (int r = 0; r < count; r++) {
            if (wholeRow) {
                values[r][0] = kinds[0].value(predictions, r * width, width);
            } else {
                for (int o = 0; o < kinds.length; o++) {
                    values[r][o] = kinds[o].value(predictions, r * width + o, 1);
                }
            }
        }
        return values;
    }
}
