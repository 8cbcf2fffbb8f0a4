package io.github.flinkiteration.runtime;

import static io.github.flinkiteration.runtime.SpillTestSupport.filesIn;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.TerminationCondition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Held rounds go to a checkpoint in Flink's asynchronous phase, from a view frozen in the
 * synchronous one, while the task thread goes on emitting the round and taking the next round's
 * feedback. The job fails right after a checkpoint that a body operator chained to the head took in
 * the middle of a round (so the head was emitting that round from its pages and spill file, and its
 * tail appending the next one); the restored job's rounds equal a plain-Java reference, and no
 * spill file is left.
 */
class CheckpointWhileEmittingTest {

    private static final Path SPILL_DIRECTORY =
            Path.of("target", "checkpoint-while-emitting-test").toAbsolutePath();

    /** 4 MiB of managed memory a slot: a head subtask's round (about 4.5 MB) spills. */
    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            SpillTestSupport.spillingCluster(
                    SpillTestSupport.managedMemoryAndSpillDirectory(8, SPILL_DIRECTORY));

    private static final long RECORDS = 1_000_000;
    private static final int ROUNDS = 4;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void aCheckpointTakenWhileTheHeadEmitsAHeldRoundRestoresExactly(
            String backend, @TempDir Path checkpoints) throws Exception {
        Files.createDirectories(SPILL_DIRECTORY);
        String run = UUID.randomUUID().toString();
        StreamExecutionEnvironment env =
                SpillTestSupport.checkpointedToDirectory(backend, checkpoints, 50);
        String spillDirectory = SPILL_DIRECTORY.toString();
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable("values", env.fromSequence(0, RECORDS - 1))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Long> values = inputs.get("values");
                                    DataStream<Long> next =
                                            values.process(new FailAfterMidRoundCheckpoint(run))
                                                    .returns(Types.LONG)
                                                    .map(v -> v + 1)
                                                    .returns(Types.LONG);
                                    return IterationDeclaration.builder()
                                            .withFeedback("values", next)
                                            .withOutput(
                                                    "perRound",
                                                    next.process(
                                                            new HeldFeedbackSpillTest.SumsPerRound(
                                                                    spillDirectory)))
                                            .until(TerminationCondition.maxRounds(ROUNDS))
                                            .build();
                                })
                        .apply();
        List<Tuple4<Integer, Long, Long, Boolean>> seen =
                TestCluster.collect(results.get("perRound"));

        assertThat(FailAfterMidRoundCheckpoint.FAILED)
                .as("the job failed right after a checkpoint taken mid-round")
                .contains(run);
        assertThat(FailAfterMidRoundCheckpoint.RESTORED)
                .as("the job restored from a checkpoint")
                .contains(run);
        Map<Integer, Tuple2<Long, Long>> totals = new HashMap<>();
        boolean spilled = false;
        for (Tuple4<Integer, Long, Long, Boolean> subtaskRound : seen) {
            totals.merge(
                    subtaskRound.f0,
                    Tuple2.of(subtaskRound.f1, subtaskRound.f2),
                    (a, b) -> Tuple2.of(a.f0 + b.f0, a.f1 + b.f1));
            spilled |= subtaskRound.f3;
        }
        assertThat(totals).hasSize(ROUNDS);
        for (int round = 0; round < ROUNDS; round++) {
            assertThat(totals.get(round).f0).as("records of round %d", round).isEqualTo(RECORDS);
            assertThat(totals.get(round).f1)
                    .as("sum of round %d", round)
                    .isEqualTo(expectedSum(round));
        }
        assertThat(spilled).as("a spill file existed while rounds ran").isTrue();
        assertThat(filesIn(SPILL_DIRECTORY)).as("spill files after the job").isZero();
    }

    /** Round {@code round} sees record i as i + round + 1; summed in plain Java. */
    private static long expectedSum(int round) {
        long sum = 0;
        for (long i = 0; i < RECORDS; i++) {
            sum += i + round + 1;
        }
        return sum;
    }

    /**
     * Passes records on. Chained to the head, it sees a held round exactly as far as the head has
     * emitted it, so a snapshot taken after some records of round 1 or later and before that
     * round's end was taken while the head was emitting. Once such a checkpoint is the latest one
     * completed, the next record fails the job, once per run.
     */
    private static final class FailAfterMidRoundCheckpoint extends ProcessFunction<Long, Long>
            implements IterationListener<Long>, CheckpointedFunction, CheckpointListener {

        static final Set<String> FAILED = ConcurrentHashMap.newKeySet();
        static final Set<String> RESTORED = ConcurrentHashMap.newKeySet();
        private static final Map<String, Set<Long>> MID_ROUND = new ConcurrentHashMap<>();

        private final String run;
        private int lastEndedRound = -1;
        private long sinceRoundEnd;
        private boolean armed;

        FailAfterMidRoundCheckpoint(String run) {
            this.run = run;
        }

        @Override
        public void processElement(
                Long value, ProcessFunction<Long, Long>.Context ctx, Collector<Long> out) {
            if (armed && FAILED.add(run)) {
                throw new IllegalStateException("Injected failure after a mid-round checkpoint");
            }
            sinceRoundEnd++;
            out.collect(value);
        }

        @Override
        public void onRoundEnd(int round, IterationListener.Context ctx, Collector<Long> out) {
            lastEndedRound = round;
            sinceRoundEnd = 0;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {
            if (lastEndedRound >= 0 && sinceRoundEnd > 0) {
                MID_ROUND
                        .computeIfAbsent(run, r -> ConcurrentHashMap.newKeySet())
                        .add(context.getCheckpointId());
            }
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            armed = MID_ROUND.getOrDefault(run, Set.of()).contains(checkpointId);
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {
            if (context.isRestored()) {
                RESTORED.add(run);
            }
        }
    }
}
