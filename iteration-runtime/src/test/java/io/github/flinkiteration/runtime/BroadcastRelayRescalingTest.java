package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.UnboundedIteration;
import io.github.flinkiteration.testing.ControlledSource;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.java.tuple.Tuple5;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A relayed trainer stopped with a savepoint while models go round and resumed at another
 * parallelism: every new subtask sees one unbroken sequence of model versions (its relay restored
 * one whole copy of what was in flight), and every record reaches the updater once over both jobs.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BroadcastRelayRescalingTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    /** Records of the first job; the second brings as many again. */
    private static final long RECORDS = 100;

    private static final TypeInformation<Tuple2<Long, Long>> MODEL =
            Types.TUPLE(Types.LONG, Types.LONG);

    @ParameterizedTest(name = "{0}: parallelism {1} -> {2}")
    @CsvSource({"hashmap, 2, 3", "rocksdb, 3, 2"})
    void everyNewSubtaskGoesOnWithOneUnbrokenSequenceOfModels(
            String backend, int before, int after, @TempDir Path savepoints) throws Exception {
        String run = UUID.randomUUID().toString();
        String trained = run + "/trained";
        String trainers = run + "/trainers";
        String updater = run + "/updater";
        try (ControlledSource.Gate gate = ControlledSource.newGate();
                ControlledSource.Gate initialModel = ControlledSource.newGate()) {
            StreamExecutionEnvironment first =
                    TestCluster.withAlignedSavepoints(TestCluster.env(before, backend));
            // Models go round without end in the first job (a tick per model), so the savepoint
            // catches some between head and trainers.
            wire(
                    first.fromSource(
                                    ControlledSource.unbounded(gate, i -> i + 1, Types.LONG),
                                    WatermarkStrategy.noWatermarks(),
                                    "records")
                            .uid("records"),
                    // Never ends either: a stop-with-savepoint that meets a finishing source is
                    // declined.
                    first.fromSource(
                                    ControlledSource.unbounded(
                                            initialModel, i -> Tuple2.of(0L, 0L), MODEL),
                                    WatermarkStrategy.noWatermarks(),
                                    "initial model")
                            .setParallelism(1)
                            .uid("initial-model"),
                    before,
                    Long.MAX_VALUE,
                    run);
            JobClient job = first.executeAsync();
            initialModel.allowBelow(1);
            gate.allowBelow(RECORDS);
            while (RecordingSink.<Long>received(trained).size() < RECORDS) {
                Thread.sleep(10);
            }
            String savepoint = Savepoints.stopWithSavepoint(job, savepoints);

            // The gated sources are replaced by bounded ones; their positions are dropped.
            StreamExecutionEnvironment second =
                    Savepoints.resumedIgnoringUnclaimedState(savepoint, backend, after);
            wire(
                    second.fromSource(
                                    ControlledSource.bounded(
                                            gate, RECORDS, i -> RECORDS + i + 1, Types.LONG),
                                    WatermarkStrategy.noWatermarks(),
                                    "more records")
                            .uid("more-records"),
                    second.fromSource(
                                    ControlledSource.bounded(
                                            initialModel, 0, i -> Tuple2.of(0L, 0L), MODEL),
                                    WatermarkStrategy.noWatermarks(),
                                    "no initial model")
                            .setParallelism(1)
                            .uid("no-initial-model"),
                    after,
                    200,
                    run);
            gate.open();
            second.execute();

            assertThat(RecordingSink.<Long>received(trained))
                    .as("records trained on, over both jobs")
                    .hasSize((int) (2 * RECORDS))
                    .doesNotHaveDuplicates();
            List<Tuple3<Long, Long, Long>> last = RecordingSink.received(updater);
            assertThat(last).hasSize(1);
            assertThat(last.get(0).f0).as("records the updater counted").isEqualTo(2 * RECORDS);
            assertThat(last.get(0).f1).isEqualTo(2 * RECORDS * (2 * RECORDS + 1) / 2);
            List<Tuple5<Integer, Long, Long, Long, Long>> seen = RecordingSink.received(trainers);
            assertThat(seen).hasSize(after);
            for (Tuple5<Integer, Long, Long, Long, Long> trainer : seen) {
                assertThat(trainer.f2)
                        .as("versions trainer %d saw out of order or twice", trainer.f0)
                        .isZero();
                assertThat(trainer.f1)
                        .as("the last version trainer %d saw", trainer.f0)
                        .isEqualTo(last.get(0).f2);
            }
        } finally {
            RecordingSink.forget(trained);
            RecordingSink.forget(trainers);
            RecordingSink.forget(updater);
        }
    }

    /**
     * Trainers pass each record on; subtask 0 also sends a tick (0) for each model, up to {@code
     * ticks} in this job; the updater emits a new version for everything it gets and sums the
     * records.
     */
    private static void wire(
            DataStream<Long> records,
            DataStream<Tuple2<Long, Long>> initialModel,
            int parallelism,
            long ticks,
            String run) {
        ResultStreams results =
                new UnboundedIteration()
                        .bindVariable("model", initialModel)
                        .bindData("records", records)
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Long> data = inputs.get("records");
                                    DataStream<Tuple2<Long, Long>> model = inputs.get("model");
                                    SingleOutputStreamOperator<Long> gradients =
                                            data.connect(model.broadcast())
                                                    .process(
                                                            new VersionCheckingTrainer<
                                                                    Long, Tuple2<Long, Long>>(
                                                                    ticks))
                                                    .setParallelism(parallelism)
                                                    .uid("trainer")
                                                    .name("trainer");
                                    SingleOutputStreamOperator<Tuple2<Long, Long>> next =
                                            gradients
                                                    .process(new VersionedSumUpdater(1))
                                                    .returns(MODEL)
                                                    .setParallelism(1)
                                                    .uid("updater")
                                                    .name("updater");
                                    return IterationDeclaration.builder()
                                            .withFeedback("model", next)
                                            .withOutput(
                                                    "trained",
                                                    gradients.getSideOutput(
                                                            VersionCheckingTrainer.TRAINED))
                                            .withOutput(
                                                    "trainers",
                                                    gradients.getSideOutput(
                                                            VersionCheckingTrainer.SUMMARY))
                                            .withOutput(
                                                    "updater",
                                                    next.getSideOutput(VersionedSumUpdater.SUMMARY))
                                            .build();
                                })
                        .apply();
        results.<Long>get("trained").sinkTo(new RecordingSink<>(run + "/trained")).uid("trained");
        results.<Tuple5<Integer, Long, Long, Long, Long>>get("trainers")
                .sinkTo(new RecordingSink<>(run + "/trainers"))
                .uid("trainers");
        results.<Tuple3<Long, Long, Long>>get("updater")
                .sinkTo(new RecordingSink<>(run + "/updater"))
                .uid("updater-summary");
    }
}
