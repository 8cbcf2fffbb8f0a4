package io.github.flinkiteration.runtime;

import static io.github.flinkiteration.runtime.SpillTestSupport.filesIn;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.TerminationCondition;
import io.github.flinkiteration.testing.Jobs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A lock-step head holds each round's feedback in its managed memory and spills beyond it: rounds
 * several times larger than the memory come back exactly, also through checkpoints and a failure,
 * and the spill files are gone when the job finishes, is cancelled or fails.
 */
class HeldFeedbackSpillTest {

    private static final Path SPILL_DIRECTORY =
            Path.of("target", "held-feedback-spill-test").toAbsolutePath();

    /** 8 MiB a TaskManager, 4 MiB a slot, shared by the head with RocksDB where it runs. */
    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            SpillTestSupport.spillingCluster(
                    SpillTestSupport.managedMemoryAndSpillDirectory(8, SPILL_DIRECTORY));

    /** 9 bytes a record held: 4.5 MB a head subtask and round, beyond its share of 4 MiB. */
    private static final long RECORDS = 1_000_000;

    private static final int ROUNDS = 5;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void roundsLargerThanManagedMemorySpillAndRecoverExactlyFromAFailure(String backend)
            throws Exception {
        Files.createDirectories(SPILL_DIRECTORY);
        String run = InjectedFailure.newRun();
        StreamExecutionEnvironment env = FailoverTest.checkpointedEnv(2, backend);
        String spillDirectory = SPILL_DIRECTORY.toString();
        // Fails in round 2: the restored checkpoint holds a round of feedback, maybe half emitted.
        long failAfter = (long) (2.5 * RECORDS);
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable("values", env.fromSequence(0, RECORDS - 1))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Long> values = inputs.get("values");
                                    DataStream<Long> next =
                                            values.process(
                                                            new InjectedFailure<Long>(
                                                                    run, failAfter))
                                                    .returns(Types.LONG)
                                                    .map(v -> v + 1)
                                                    .returns(Types.LONG);
                                    return IterationDeclaration.builder()
                                            .withFeedback("values", next)
                                            .withOutput(
                                                    "perRound",
                                                    next.process(new SumsPerRound(spillDirectory)))
                                            .until(TerminationCondition.maxRounds(ROUNDS))
                                            .build();
                                })
                        .apply();
        List<Tuple4<Integer, Long, Long, Boolean>> seen =
                TestCluster.collect(results.get("perRound"));

        Map<Integer, Tuple2<Long, Long>> totals = new HashMap<>();
        boolean spilled = false;
        for (Tuple4<Integer, Long, Long, Boolean> subtaskRound : seen) {
            totals.merge(
                    subtaskRound.f0,
                    Tuple2.of(subtaskRound.f1, subtaskRound.f2),
                    (a, b) -> Tuple2.of(a.f0 + b.f0, a.f1 + b.f1));
            spilled |= subtaskRound.f3;
        }
        assertThat(InjectedFailure.run(run).failed()).as("the injected failure happened").isTrue();
        assertThat(InjectedFailure.run(run).restoredFromCheckpoint)
                .as("the job restored from a checkpoint")
                .isTrue();
        assertThat(totals).hasSize(ROUNDS);
        for (int round = 0; round < ROUNDS; round++) {
            assertThat(totals.get(round).f0).as("records of round %d", round).isEqualTo(RECORDS);
            assertThat(totals.get(round).f1)
                    .as("sum of round %d", round)
                    .isEqualTo(expectedSum(RECORDS, round));
        }
        assertThat(spilled).as("a spill file existed while rounds ran").isTrue();
        assertThat(filesIn(SPILL_DIRECTORY)).as("spill files after the job").isZero();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cancelled", "failed"})
    void spillFilesAreGoneWhenTheJobEndsEarly(String ending) throws Exception {
        Files.createDirectories(SPILL_DIRECTORY);
        StreamExecutionEnvironment env = TestCluster.env(2);
        boolean fail = ending.equals("failed");
        String spillDirectory = SPILL_DIRECTORY.toString();
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable("values", env.fromSequence(0, RECORDS - 1))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Long> values = inputs.get("values");
                                    DataStream<Long> next =
                                            values.map(v -> v + 1).returns(Types.LONG);
                                    DataStream<Tuple4<Integer, Long, Long, Boolean>> perRound =
                                            next.process(
                                                    new SumsPerRound(
                                                            spillDirectory, fail ? 2 : -1));
                                    return IterationDeclaration.builder()
                                            .withFeedback("values", next)
                                            .withOutput("perRound", perRound)
                                            .until(TerminationCondition.maxRounds(1_000_000))
                                            .build();
                                })
                        .apply();
        DataStream<Tuple4<Integer, Long, Long, Boolean>> perRound = results.get("perRound");
        try (CloseableIterator<Tuple4<Integer, Long, Long, Boolean>> rounds =
                perRound.collectAsync()) {
            JobClient job = env.executeAsync();
            boolean spilled = false;
            // Round 3 ended at some subtask: rounds 1 to 3 were held, each beyond the memory.
            while (!fail && rounds.hasNext()) {
                Tuple4<Integer, Long, Long, Boolean> subtaskRound = rounds.next();
                spilled |= subtaskRound.f3;
                if (subtaskRound.f0 >= 3 && spilled) {
                    break;
                }
            }
            if (!fail) {
                assertThat(spilled).as("a spill file existed while rounds ran").isTrue();
                job.cancel().get();
            }
            JobStatus status = Jobs.awaitTerminalStatus(job);
            assertThat(status).isEqualTo(fail ? JobStatus.FAILED : JobStatus.CANCELED);
        }
        assertThat(filesIn(SPILL_DIRECTORY)).as("spill files after the job").isZero();
    }

    /** Sum of round {@code round}'s feedback: record i is i + round + 1, computed in plain Java. */
    private static long expectedSum(long records, int round) {
        long sum = 0;
        for (long i = 0; i < records; i++) {
            sum += i + round + 1;
        }
        return sum;
    }

    /**
     * Emits, at each round's end, (round, records, sum, whether a spill file exists now); fails at
     * the end of round {@code failIn}, if that is not negative. Its counts are checkpointed, since
     * a checkpoint may fall in the middle of a round.
     */
    static final class SumsPerRound
            extends ProcessFunction<Long, Tuple4<Integer, Long, Long, Boolean>>
            implements IterationListener<Tuple4<Integer, Long, Long, Boolean>>,
                    CheckpointedFunction {

        private transient ListState<Long> countAndSum;

        private final String spillDirectory;
        private final int failIn;
        private long count;
        private long sum;

        SumsPerRound(String spillDirectory) {
            this(spillDirectory, -1);
        }

        SumsPerRound(String spillDirectory, int failIn) {
            this.spillDirectory = spillDirectory;
            this.failIn = failIn;
        }

        @Override
        public void processElement(
                Long value,
                ProcessFunction<Long, Tuple4<Integer, Long, Long, Boolean>>.Context ctx,
                Collector<Tuple4<Integer, Long, Long, Boolean>> out) {
            count++;
            sum += value;
        }

        @Override
        public void onRoundEnd(
                int round,
                IterationListener.Context ctx,
                Collector<Tuple4<Integer, Long, Long, Boolean>> out) {
            if (round == failIn) {
                throw new IllegalStateException("failing on purpose in round " + round);
            }
            out.collect(Tuple4.of(round, count, sum, filesIn(Path.of(spillDirectory)) > 0));
            count = 0;
            sum = 0;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            countAndSum.update(List.of(count, sum));
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            countAndSum =
                    context.getOperatorStateStore()
                            .getListState(new ListStateDescriptor<>("count-and-sum", Types.LONG));
            List<Long> restored = new ArrayList<>();
            countAndSum.get().forEach(restored::add);
            if (!restored.isEmpty()) {
                count = restored.get(0);
                sum = restored.get(1);
            }
        }
    }
}
