package io.github.flinkiteration.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.flinkiteration.tf.estimator.TFModel;
import io.github.flinkiteration.tf.estimator.TFOnlineEstimator;
import io.github.flinkiteration.tf.model.ModelVersion;
import io.github.flinkiteration.tf.model.MultiLayerPerceptronDefinition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Online training as an unbounded iteration at parallelism 2: it emits one version per step,
 * numbered 1, 2, …, whose held-out accuracy (plain-Java forward pass) rises from the first versions
 * to the last; and a TFModel scores the same live stream in the same job with the versions as they
 * come, each row labelled with the version whose weights give its prediction.
 */
class OnlineTrainingTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TFCluster.extension();

    private static final int PARALLELISM = 2;
    private static final int BATCH = 32;

    @Test
    void accuracyRisesOverTheVersions() throws Exception {
        List<Row> stream = BlobData.rows(6_000, 81);
        List<Row> heldOut = BlobData.rows(1_000, 82);
        StreamExecutionEnvironment env = environment();
        TFModel model = estimator().fit(env.fromData(stream, BlobData.rowType()).setParallelism(1));
        List<ModelVersion> versions = new ArrayList<>();
        try (CloseableIterator<ModelVersion> it = model.getVersions().executeAndCollect()) {
            it.forEachRemaining(versions::add);
        }

        // Every full step of the bounded stream made a version: each trainer has half the rows.
        int steps = stream.size() / PARALLELISM / BATCH;
        assertThat(versions).extracting(v -> v.version).containsExactlyElementsOf(range(1, steps));
        double early = meanAccuracy(versions.subList(0, 3), heldOut);
        double late = meanAccuracy(versions.subList(steps - 3, steps), heldOut);
        assertThat(late).as("accuracy of the last versions").isGreaterThan(early);
        assertThat(late).as("accuracy of the last versions").isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void aModelScoresTheLiveStreamWithTheVersionsOfItsOnlineTraining() throws Exception {
        List<Row> stream = IdRows.of(BlobData.rows(4_000, 83));
        StreamExecutionEnvironment env = environment();
        DataStream<Row> rows = env.fromData(stream, IdRows.type()).setParallelism(1);
        TFModel online = estimator().fit(rows);
        DataStream<Row> scored = online.transform(rows);

        List<ModelVersion> versions = new ArrayList<>();
        List<Row> scoredRows = new ArrayList<>();
        try (CloseableIterator<ModelVersion> v = online.getVersions().collectAsync();
                CloseableIterator<Row> s = scored.collectAsync()) {
            env.execute("online training and scoring");
            v.forEachRemaining(versions::add);
            s.forEachRemaining(scoredRows::add);
        }

        Map<Long, ModelVersion> byNumber = new HashMap<>();
        versions.forEach(v -> byNumber.put(v.version, v));
        assertThat(scoredRows).extracting(r -> (Long) r.getField(0)).hasSize(stream.size());
        assertThat(scoredRows).extracting(r -> (Long) r.getField(0)).doesNotHaveDuplicates();
        int probability = IdRows.TYPE_NAMES.length;
        for (Row row : scoredRows) {
            long version = (Long) row.getField(probability + 1);
            assertThat(byNumber).as("versions emitted").containsKey(version);
            double expected =
                    JavaPredictor.probability(byNumber.get(version).weights, IdRows.features(row));
            assertThat((Double) row.getField(probability))
                    .as("prediction of row %s by version %d", row.getField(0), version)
                    .isCloseTo(expected, within(1e-5));
        }
    }

    private static TFOnlineEstimator estimator() {
        return new TFOnlineEstimator()
                .setInputCols(BlobData.FEATURES)
                .setLabelCol(BlobData.LABEL)
                .setModelDefinition(new MultiLayerPerceptronDefinition(5, 8))
                .setBatchSize(BATCH)
                .setLearningRate(0.05)
                .setOutputCols("probability")
                .setOutputTypes(Types.DOUBLE);
    }

    private static StreamExecutionEnvironment environment() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(PARALLELISM);
        return env;
    }

    private static double meanAccuracy(List<ModelVersion> versions, List<Row> heldOut) {
        double sum = 0;
        for (ModelVersion version : versions) {
            double accuracy = JavaPredictor.accuracy(version.weights, heldOut);
            sum += accuracy;
        }
        return sum / versions.size();
    }

    private static List<Long> range(long first, long last) {
        List<Long> numbers = new ArrayList<>();
        for (long n = first; n <= last; n++) {
            numbers.add(n);
        }
        return numbers;
    }
}
