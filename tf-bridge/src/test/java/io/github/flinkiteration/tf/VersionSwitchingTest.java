package io.github.flinkiteration.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.flinkiteration.testing.ControlledSource;
import io.github.flinkiteration.testing.Jobs;
import io.github.flinkiteration.tf.estimator.TFModel;
import io.github.flinkiteration.tf.model.LogisticRegressionDefinition;
import io.github.flinkiteration.tf.model.ModelVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A model fed a stream of versions scores every row with one of them and says which: each row's
 * prediction is the plain-Java forward pass of the version in its version column. Rows that come
 * before the first version wait for it; after a new version is released, rows are scored with it.
 * Versions and rows come from gated sources, so the test decides what exists when.
 */
class VersionSwitchingTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TFCluster.extension();

    private static final int VERSION_COLUMN = IdRows.TYPE_NAMES.length + 1;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everyRowIsLabelledWithTheVersionThatScoredIt() throws Exception {
        List<Row> scoredRows = new ArrayList<>();
        try (ControlledSource.Gate rowGate = ControlledSource.newGate();
                ControlledSource.Gate versionGate = ControlledSource.newGate()) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(2);
            DataStream<Row> rows =
                    env.fromSource(
                            ControlledSource.unbounded(
                                    rowGate,
                                    i -> IdRows.withId(i, BlobData.row(i, 71)),
                                    IdRows.type()),
                            WatermarkStrategy.noWatermarks(),
                            "rows");
            DataStream<ModelVersion> versions = LrWeights.gatedVersions(env, versionGate);
            DataStream<Row> scored =
                    TFModel.fromVersions(new LogisticRegressionDefinition(), versions)
                            .setInputCols(BlobData.FEATURES)
                            .setOutputCols("probability")
                            .setOutputTypes(Types.DOUBLE)
                            .setBatchSize(8)
                            .transform(rows);
            try (CloseableIterator<Row> results = scored.collectAsync()) {
                JobClient job = env.executeAsync("version switching");

                // 50 rows before any version: they wait, then version 1 scores them all.
                rowGate.allowBelow(50);
                versionGate.allowBelow(1);
                List<Row> firstRows = take(results, 50);
                assertThat(firstRows).allMatch(r -> r.getField(VERSION_COLUMN).equals(1L));
                scoredRows.addAll(firstRows);

                // Versions 2 and 3: rows released one by one until one is scored with it.
                long released = 50;
                for (long version = 2; version <= 3; version++) {
                    versionGate.allowBelow(version);
                    boolean seen = false;
                    while (!seen) {
                        rowGate.allowBelow(++released);
                        Row row = results.next();
                        scoredRows.add(row);
                        seen = row.getField(VERSION_COLUMN).equals(version);
                    }
                }
                job.cancel().get();
                assertThat(Jobs.awaitTerminalStatus(job)).isEqualTo(JobStatus.CANCELED);
            }
        }
        for (Row row : scoredRows) {
            long version = (Long) row.getField(VERSION_COLUMN);
            assertThat(version).isBetween(1L, 3L);
            double expected =
                    JavaPredictor.probability(LrWeights.scaled(version), IdRows.features(row));
            assertThat((Double) row.getField(IdRows.TYPE_NAMES.length))
                    .as("prediction of row %s, labelled version %d", row.getField(0), version)
                    .isCloseTo(expected, within(1e-6));
        }
    }

    private static List<Row> take(CloseableIterator<Row> results, int count) {
        List<Row> taken = new ArrayList<>();
        while (taken.size() < count) {
            taken.add(results.next());
        }
        return taken;
    }
}
