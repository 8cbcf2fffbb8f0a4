package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationBody;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.TerminationCondition;
import io.github.flinkiteration.api.UnboundedIteration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.java.tuple.Tuple5;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.datastream.ConnectedStreams;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.co.CoProcessFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A body operator that reads data and a broadcast variable (online training) runs in the task of
 * its data, and gets the variable in process from a co-located relay: every subtask sees the
 * initial model once and every fed-back version exactly once and in order, every record is trained
 * on once, also through a failure and a restore from a checkpoint; operators where the difference
 * could show keep their network inputs.
 */
// A separate thread: the collect iterator swallows the interrupt of a same-thread timeout.
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BroadcastRelayTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    private static final int TRAINERS = 2;

    /** The updater emits a model version after this many gradients. */
    private static final long BATCH = 10;

    private static final TypeInformation<Tuple2<Long, Long>> MODEL =
            Types.TUPLE(Types.LONG, Types.LONG);

    @ParameterizedTest(name = "broadcast input {0}")
    @ValueSource(ints = {1, 2})
    void trainerRunsInItsDataTaskAndSeesEveryModelOnce(int broadcastInput) throws Exception {
        long records = 20_000;
        StreamExecutionEnvironment env = TestCluster.env(TRAINERS);
        ResultStreams results = onlineTraining(env, records, broadcastInput, null, false);

        JobGraph graph = env.getStreamGraph(false).getJobGraph();
        JobVertex trainer = vertexNamed(graph, "trainer");
        assertThat(trainer.getName()).as("the trainer's task").contains("data source");
        assertThat(trainer.getNumberOfInputs()).isZero();
        JobVertex relay = vertexNamed(graph, "Broadcast relay [trainer]");
        assertThat(relay.getCoLocationGroup()).isNotNull();
        assertThat(relay.getCoLocationGroup()).isSameAs(trainer.getCoLocationGroup());
        // The model reaches the updater from its head, through the relay: no region link is
        // needed, and the tail stays in the updater's task.
        assertThat(vertexNamed(graph, "updater").getName()).contains("Iteration tail [model]");
        assertThat(hasVertexNamed(graph, "region link")).isFalse();

        assertExactlyOnce(run(results), records);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void everyModelOnceAndEveryRecordOnceThroughAFailure(String backend) throws Exception {
        long records = 60_000;
        String failure = InjectedFailure.newRun();
        StreamExecutionEnvironment env = FailoverTest.checkpointedEnv(TRAINERS, backend);
        env.enableCheckpointing(20);
        ResultStreams results = onlineTraining(env, records, 2, failure, true);

        Summaries summaries = run(results);
        assertThat(InjectedFailure.run(failure).failed()).as("the failure happened").isTrue();
        assertThat(InjectedFailure.run(failure).restoredFromCheckpoint)
                .as("the job restored from a checkpoint")
                .isTrue();
        assertExactlyOnce(summaries, records);
    }

    /**
     * After its data ends the relayed trainer waits for the model stream to end, running its task's
     * mailbox: checkpoints still complete meanwhile, and the job ends once the models stop.
     */
    @Test
    void checkpointsCompleteWhileTheTrainerWaitsForTheModelStreamToEnd() throws Exception {
        String run = UUID.randomUUID().toString();
        CHECKPOINTS_AFTER_DATA.put(run, new AtomicInteger());
        StreamExecutionEnvironment env = FailoverTest.checkpointedEnv(TRAINERS, "hashmap");
        env.enableCheckpointing(20);
        ResultStreams results =
                new UnboundedIteration()
                        .bindVariable("model", env.fromData(Tuple2.of(0L, 0L)))
                        .bindData("data", env.fromSequence(1, 200).name("data source"))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Long> data = inputs.get("data");
                                    DataStream<Tuple2<Long, Long>> model = inputs.get("model");
                                    DataStream<Long> gradients =
                                            data.connect(model.broadcast())
                                                    .process(new TickingTrainer(run))
                                                    .setParallelism(TRAINERS)
                                                    .name("trainer");
                                    SingleOutputStreamOperator<Tuple2<Long, Long>> next =
                                            updater(gradients);
                                    return IterationDeclaration.builder()
                                            .withFeedback("model", next)
                                            .withOutput("models", next)
                                            .build();
                                })
                        .apply();
        List<Tuple2<Long, Long>> models = TestCluster.collect(results.get("models"));

        assertThat(models).as("the models went on after the data").hasSizeGreaterThan(2);
        assertThat(CHECKPOINTS_AFTER_DATA.get(run).get())
                .as("checkpoints completed at a trainer after its data ended")
                .isPositive();
    }

    /**
     * Where the difference could show, or the wait at the end of the data could hang, the trainer
     * keeps both network inputs: a keyed trainer, one in a lock-step (bounded) iteration, and one
     * behind an exchange, whose task reads barriers from a network input that it no longer reads
     * while it waits for the model stream to end (a relay there hung a checkpointed online
     * training).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"keyed", "lock-step", "behind an exchange"})
    void trainerKeepsBothNetworkInputs(String shape) {
        StreamExecutionEnvironment env = TestCluster.env(TRAINERS);
        DataStream<Long> source = env.fromSequence(1, 100).name("data source");
        IterationBody body =
                (inputs, context) -> {
                    DataStream<Long> data = inputs.get("data");
                    DataStream<Tuple2<Long, Long>> model = inputs.get("model");
                    ConnectedStreams<Long, Tuple2<Long, Long>> connected =
                            shape.equals("keyed")
                                    ? data.keyBy(v -> v % 3).connect(model.broadcast())
                                    : data.connect(model.broadcast());
                    DataStream<Long> gradients =
                            connected
                                    .process(new VersionCheckingTrainer<Long, Tuple2<Long, Long>>())
                                    .setParallelism(TRAINERS)
                                    .name("trainer");
                    IterationDeclaration.Builder declaration =
                            IterationDeclaration.builder()
                                    .withFeedback("model", updater(gradients));
                    return shape.equals("lock-step")
                            ? declaration.until(TerminationCondition.maxRounds(3)).build()
                            : declaration.build();
                };
        DataStream<Tuple2<Long, Long>> initial = env.fromData(Tuple2.of(0L, 0L));
        if (shape.equals("lock-step")) {
            new BoundedIteration()
                    .bindVariable("model", initial)
                    .bindData("data", source)
                    .withBody(body)
                    .apply();
        } else {
            new UnboundedIteration()
                    .bindVariable("model", initial)
                    .bindData(
                            "data",
                            shape.equals("behind an exchange") ? source.rebalance() : source)
                    .withBody(body)
                    .apply();
        }

        JobGraph graph = env.getStreamGraph(false).getJobGraph();
        assertThat(vertexNamed(graph, "trainer").getNumberOfInputs()).isEqualTo(2);
        assertThat(hasVertexNamed(graph, "Broadcast relay")).isFalse();
    }

    /**
     * Trainers pass each record on as its gradient and check the model versions they receive; a
     * parallelism-1 updater sums the gradients and feeds a new version back after every {@link
     * #BATCH}. Both report at the end of the iteration.
     */
    private static ResultStreams onlineTraining(
            StreamExecutionEnvironment env,
            long records,
            int broadcastInput,
            String failure,
            boolean paced) {
        DataStream<Long> source = env.fromSequence(1, records).name("data source");
        if (paced) {
            // Long enough for checkpoints to complete while records flow.
            source = source.map(new Pace()).name("pace");
        }
        return new UnboundedIteration()
                .bindVariable("model", env.fromData(Tuple2.of(0L, 0L)))
                .bindData("data", source)
                .withBody(
                        (inputs, context) -> {
                            DataStream<Long> data = inputs.get("data");
                            if (failure != null) {
                                data =
                                        data.process(
                                                        new InjectedFailure<Long>(
                                                                failure, records / 2))
                                                .returns(Types.LONG)
                                                .name("failure");
                            }
                            DataStream<Tuple2<Long, Long>> model = inputs.get("model");
                            SingleOutputStreamOperator<Long> gradients =
                                    broadcastInput == 2
                                            ? data.connect(model.broadcast())
                                                    .process(
                                                            new VersionCheckingTrainer<
                                                                    Long, Tuple2<Long, Long>>())
                                                    .setParallelism(TRAINERS)
                                                    .name("trainer")
                                            : model.broadcast()
                                                    .connect(data)
                                                    .process(
                                                            new VersionCheckingTrainer<
                                                                    Tuple2<Long, Long>, Long>())
                                                    .setParallelism(TRAINERS)
                                                    .name("trainer");
                            SingleOutputStreamOperator<Tuple2<Long, Long>> next =
                                    updater(gradients);
                            return IterationDeclaration.builder()
                                    .withFeedback("model", next)
                                    .withOutput(
                                            "trainers",
                                            gradients.getSideOutput(VersionCheckingTrainer.SUMMARY))
                                    .withOutput(
                                            "updater",
                                            next.getSideOutput(VersionedSumUpdater.SUMMARY))
                                    .build();
                        })
                .apply();
    }

    private static SingleOutputStreamOperator<Tuple2<Long, Long>> updater(
            DataStream<Long> gradients) {
        return gradients
                .process(new VersionedSumUpdater(BATCH))
                .returns(MODEL)
                .setParallelism(1)
                .name("updater");
    }

    private record Summaries(
            List<Tuple5<Integer, Long, Long, Long, Long>> trainers,
            List<Tuple3<Long, Long, Long>> updater) {}

    private static Summaries run(ResultStreams results) throws Exception {
        DataStream<Tuple5<Integer, Long, Long, Long, Long>> trainers = results.get("trainers");
        DataStream<Tuple3<Long, Long, Long>> updater = results.get("updater");
        TestCluster.Collected<Tuple5<Integer, Long, Long, Long, Long>> fromTrainers =
                TestCluster.collectLater(trainers);
        List<Tuple3<Long, Long, Long>> fromUpdater = TestCluster.collect(updater);
        return new Summaries(fromTrainers.list(), fromUpdater);
    }

    private static void assertExactlyOnce(Summaries summaries, long records) {
        long versions = records / BATCH;
        assertThat(summaries.updater())
                .as("gradients, their sum and the last version, once")
                .containsExactly(Tuple3.of(records, records * (records + 1) / 2, versions));
        assertThat(summaries.trainers()).hasSize(TRAINERS);
        long trained = 0;
        for (Tuple5<Integer, Long, Long, Long, Long> trainer : summaries.trainers()) {
            assertThat(trainer.f1)
                    .as("last version seen by trainer %d", trainer.f0)
                    .isEqualTo(versions);
            assertThat(trainer.f2)
                    .as("versions trainer %d saw out of order or twice", trainer.f0)
                    .isZero();
            assertThat(trainer.f4).as("initial models seen by trainer %d", trainer.f0).isOne();
            trained += trainer.f3;
        }
        assertThat(trained).as("records trained on").isEqualTo(records);
    }

    private static JobVertex vertexNamed(JobGraph graph, String name) {
        for (JobVertex vertex : graph.getVertices()) {
            if (vertex.getName().contains(name)
                    && (name.startsWith("Broadcast relay")
                            || !vertex.getName().startsWith("Broadcast relay"))) {
                return vertex;
            }
        }
        throw new AssertionError("No job vertex contains " + name);
    }

    private static boolean hasVertexNamed(JobGraph graph, String name) {
        for (JobVertex vertex : graph.getVertices()) {
            if (vertex.getName().contains(name)) {
                return true;
            }
        }
        return false;
    }

    /** Per run: checkpoints the trainers saw complete after their data ended. */
    private static final Map<String, AtomicInteger> CHECKPOINTS_AFTER_DATA =
            new ConcurrentHashMap<>();

    /**
     * Passes records on; subtask 0 answers each model with a tick, a millisecond later, up to
     * {@link #TICKS} times, so models go on after the data ended. Round 0 ends here when the data
     * ends (the data's round watermark comes with its end).
     */
    private static final class TickingTrainer
            extends CoProcessFunction<Long, Tuple2<Long, Long>, Long>
            implements IterationListener<Long>, CheckpointListener {
        private static final int TICKS = 300;
        private final String run;
        private transient int ticked;
        private transient boolean dataEnded;

        TickingTrainer(String run) {
            this.run = run;
        }

        @Override
        public void processElement1(
                Long value,
                CoProcessFunction<Long, Tuple2<Long, Long>, Long>.Context ctx,
                Collector<Long> out) {
            out.collect(value);
        }

        @Override
        public void processElement2(
                Tuple2<Long, Long> model,
                CoProcessFunction<Long, Tuple2<Long, Long>, Long>.Context ctx,
                Collector<Long> out) {
            if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0 && ticked < TICKS) {
                ticked++;
                LockSupport.parkNanos(1_000_000);
                out.collect(0L);
            }
        }

        @Override
        public void onRoundEnd(int round, IterationListener.Context context, Collector<Long> out) {
            dataEnded = true;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (dataEnded) {
                CHECKPOINTS_AFTER_DATA.get(run).incrementAndGet();
            }
        }
    }

    /** Sleeps a millisecond every 200 records. */
    private static final class Pace implements MapFunction<Long, Long> {
        private long count;

        @Override
        public Long map(Long value) throws Exception {
            if (++count % 200 == 0) {
                Thread.sleep(1);
            }
            return value;
        }
    }
}
