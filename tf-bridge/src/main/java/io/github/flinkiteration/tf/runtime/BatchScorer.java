package io.github.flinkiteration.tf.runtime;

import org.apache.flink.types.Row;

/** Scores a batch of rows with a model's session: the values of the output columns per row. */
interface BatchScorer {

    /** The output column values of {@code rows[0..count)}: {@code [row][output column]}. */
    Object[][] score(ModelSession session, Row[] rows, int count);
}
