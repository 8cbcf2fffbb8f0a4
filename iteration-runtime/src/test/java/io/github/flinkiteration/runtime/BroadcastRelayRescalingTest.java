package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.UnboundedIteration;
import io.github.flinkiteration.testing.ControlledSource;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.array.LongPrimitiveArraySerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.co.CoProcessFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
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

    private static final OutputTag<Tuple3<Integer, Long, Long>> TRAINER_SUMMARY =
            new OutputTag<>("trainer-summary", Types.TUPLE(Types.INT, Types.LONG, Types.LONG));

    private static final OutputTag<Tuple3<Long, Long, Long>> UPDATER_SUMMARY =
            new OutputTag<>("updater-summary", Types.TUPLE(Types.LONG, Types.LONG, Types.LONG));

    private static final OutputTag<Long> TRAINED = new OutputTag<>("trained", Types.LONG);

    @ParameterizedTest(name = "{0}: parallelism {1} -> {2}")
    @CsvSource({"hashmap, 2, 3", "rocksdb, 3, 2"})
    void everyNewSubtaskGoesOnWithOneUnbrokenSequenceOfModels(
            String backend, int before, int after, @TempDir Path savepoints) throws Exception {
        String run = UUID.randomUUID().toString();
        String trained = run + "/trained";
        String trainers = run + "/trainers";
        String updater = run + "/updater";
        try (ControlledSource.Gate gate = ControlledSource.newGate()) {
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
                    before,
                    Long.MAX_VALUE,
                    run);
            JobClient job = first.executeAsync();
            gate.allowBelow(RECORDS);
            while (RecordingSink.<Long>received(trained).size() < RECORDS) {
                Thread.sleep(10);
            }
            String savepoint = Savepoints.stopWithSavepoint(job, savepoints);

            Configuration resume = new Configuration();
            resume.set(StateBackendOptions.STATE_BACKEND, backend);
            resume.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
            // The gated source is replaced by a bounded one; its position is dropped.
            resume.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
            StreamExecutionEnvironment second =
                    StreamExecutionEnvironment.getExecutionEnvironment(resume);
            second.setParallelism(after);
            wire(
                    second.fromSource(
                                    ControlledSource.bounded(
                                            gate, RECORDS, i -> RECORDS + i + 1, Types.LONG),
                                    WatermarkStrategy.noWatermarks(),
                                    "more records")
                            .uid("more-records"),
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
            List<Tuple3<Integer, Long, Long>> seen = RecordingSink.received(trainers);
            assertThat(seen).hasSize(after);
            for (Tuple3<Integer, Long, Long> trainer : seen) {
                assertThat(trainer.f1)
                        .as("versions trainer %d saw out of order or twice", trainer.f0)
                        .isZero();
                assertThat(trainer.f2)
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
    private static void wire(DataStream<Long> records, int parallelism, long ticks, String run) {
        ResultStreams results =
                new UnboundedIteration()
                        .bindVariable(
                                "model",
                                records.getExecutionEnvironment().fromData(Tuple2.of(0L, 0L)))
                        .bindData("records", records)
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Long> data = inputs.get("records");
                                    DataStream<Tuple2<Long, Long>> model = inputs.get("model");
                                    SingleOutputStreamOperator<Long> gradients =
                                            data.connect(model.broadcast())
                                                    .process(new Trainer(ticks))
                                                    .setParallelism(parallelism)
                                                    .uid("trainer")
                                                    .name("trainer");
                                    SingleOutputStreamOperator<Tuple2<Long, Long>> next =
                                            gradients
                                                    .process(new Updater())
                                                    .returns(MODEL)
                                                    .setParallelism(1)
                                                    .uid("updater")
                                                    .name("updater");
                                    return IterationDeclaration.builder()
                                            .withFeedback("model", next)
                                            .withOutput("trained", gradients.getSideOutput(TRAINED))
                                            .withOutput(
                                                    "trainers",
                                                    gradients.getSideOutput(TRAINER_SUMMARY))
                                            .withOutput(
                                                    "updater", next.getSideOutput(UPDATER_SUMMARY))
                                            .build();
                                })
                        .apply();
        results.<Long>get("trained").sinkTo(new RecordingSink<>(run + "/trained")).uid("trained");
        results.<Tuple3<Integer, Long, Long>>get("trainers")
                .sinkTo(new RecordingSink<>(run + "/trainers"))
                .uid("trainers");
        results.<Tuple3<Long, Long, Long>>get("updater")
                .sinkTo(new RecordingSink<>(run + "/updater"))
                .uid("updater-summary");
    }

    /**
     * Checks that the versions it gets follow one another. A subtask without state of its own (a
     * new one after scaling up) takes the first version it gets as its start.
     */
    private static final class Trainer extends CoProcessFunction<Long, Tuple2<Long, Long>, Long>
            implements IterationListener<Long>, CheckpointedFunction, Serializable {
        private static final long serialVersionUID = 1L;
        private final long ticks;
        private transient long ticked;
        private long lastVersion = -1;
        private long violations;
        private transient ListState<long[]> state;

        Trainer(long ticks) {
            this.ticks = ticks;
        }

        @Override
        public void processElement1(
                Long value,
                CoProcessFunction<Long, Tuple2<Long, Long>, Long>.Context ctx,
                Collector<Long> out) {
            out.collect(value);
            ctx.output(TRAINED, value);
        }

        @Override
        public void processElement2(
                Tuple2<Long, Long> model,
                CoProcessFunction<Long, Tuple2<Long, Long>, Long>.Context ctx,
                Collector<Long> out) {
            if (model.f0 == 0) {
                return; // the initial model: the head may read it after earlier feedback
            }
            if (lastVersion >= 0 && model.f0 != lastVersion + 1) {
                violations++;
            }
            lastVersion = model.f0;
            if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0 && ticked < ticks) {
                ticked++;
                // Slow enough not to take both cores, fast enough to keep models in flight.
                LockSupport.parkNanos(200_000);
                out.collect(0L);
            }
        }

        @Override
        public void onRoundEnd(int round, IterationListener.Context context, Collector<Long> out) {}

        @Override
        public void onIterationTerminated(IterationListener.Context context, Collector<Long> out) {
            context.output(
                    TRAINER_SUMMARY,
                    Tuple3.of(
                            getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                            violations,
                            lastVersion));
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            state.update(
                    List.of(
                            new long[] {
                                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                                lastVersion,
                                violations
                            }));
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            state =
                    context.getOperatorStateStore()
                            .getUnionListState(
                                    new ListStateDescriptor<>(
                                            "trainer", LongPrimitiveArraySerializer.INSTANCE));
            int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
            for (long[] entry : state.get()) {
                if (entry[0] == subtask) {
                    lastVersion = entry[1];
                    violations = entry[2];
                }
            }
        }
    }

    /** A new version (version, sum of records) for every gradient or tick. */
    private static final class Updater extends ProcessFunction<Long, Tuple2<Long, Long>>
            implements IterationListener<Tuple2<Long, Long>>, CheckpointedFunction {
        private static final long serialVersionUID = 1L;
        private long count;
        private long sum;
        private long version;
        private transient ListState<long[]> state;

        @Override
        public void processElement(
                Long gradient,
                ProcessFunction<Long, Tuple2<Long, Long>>.Context ctx,
                Collector<Tuple2<Long, Long>> out) {
            if (gradient > 0) {
                count++;
                sum += gradient;
            }
            version++;
            out.collect(Tuple2.of(version, sum));
        }

        @Override
        public void onRoundEnd(
                int round, IterationListener.Context context, Collector<Tuple2<Long, Long>> out) {}

        @Override
        public void onIterationTerminated(
                IterationListener.Context context, Collector<Tuple2<Long, Long>> out) {
            context.output(UPDATER_SUMMARY, Tuple3.of(count, sum, version));
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            state.update(List.of(new long[] {count, sum, version}));
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            state =
                    context.getOperatorStateStore()
                            .getListState(
                                    new ListStateDescriptor<>(
                                            "updater", LongPrimitiveArraySerializer.INSTANCE));
            for (long[] entry : state.get()) {
                count = entry[0];
                sum = entry[1];
                version = entry[2];
            }
        }
    }
}
