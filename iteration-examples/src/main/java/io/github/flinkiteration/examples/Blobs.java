package io.github.flinkiteration.examples;

import java.util.Random;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Row;

/**
 * Rows of two Gaussian blobs in four dimensions, centred at −c and +c with c = (1.5, −1.5, 1, −1):
 * columns {@code x0 … x3} (DOUBLE) and {@code label} (INT, 1 for the +c blob). Row {@code i} of a
 * seed is the same on every run, so training and scoring streams are reproducible.
 */
public final class Blobs {

    public static final String[] FEATURES = {"x0", "x1", "x2", "x3"};
    public static final String LABEL = "label";
    private static final double[] CENTRE = {1.5, -1.5, 1, -1};

    private Blobs() {}

    /** The rows' type: named columns, as {@code TFEstimator} and {@code TFModel} need. */
    public static TypeInformation<Row> rowType() {
        return Types.ROW_NAMED(
                new String[] {"x0", "x1", "x2", "x3", LABEL},
                Types.DOUBLE,
                Types.DOUBLE,
                Types.DOUBLE,
                Types.DOUBLE,
                Types.INT);
    }

    /** Row {@code index} of the rows of {@code seed}. */
    public static Row row(long index, long seed) {
        Random random = new Random(seed * 1_000_003L + index);
        int label = random.nextBoolean() ? 1 : 0;
        Row row = new Row(CENTRE.length + 1);
        for (int j = 0; j < CENTRE.length; j++) {
            row.setField(j, (label == 1 ? 1 : -1) * CENTRE[j] + random.nextGaussian());
        }
        row.setField(CENTRE.length, label);
        return row;
    }

    /** Rows 0 … {@code count} − 1 of {@code seed}, generated in order by one subtask. */
    public static DataStream<Row> stream(StreamExecutionEnvironment env, long count, long seed) {
        return env.fromSequence(0, count - 1)
                .setParallelism(1)
                .map(i -> row(i, seed))
                .returns(rowType())
                .setParallelism(1)
                .name("generate blobs (seed " + seed + ")");
    }
}
