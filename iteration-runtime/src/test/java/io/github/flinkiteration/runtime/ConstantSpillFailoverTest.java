package io.github.flinkiteration.runtime;

import static io.github.flinkiteration.runtime.SpillTestSupport.expectedChecksum;
import static io.github.flinkiteration.runtime.SpillTestSupport.filesIn;
import static io.github.flinkiteration.runtime.SpillTestSupport.threeFields;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.RoundAwareProcessFunction;
import io.github.flinkiteration.api.TerminationCondition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A constant far larger than its managed memory (2,000,000 records, about 48 MB serialized, against
 * 32 MiB per TaskManager) is replayed from its spilled cache every round, with checkpoints written
 * to a checkpoint directory while it is, and a failure in round 2: the job restores from a
 * checkpoint taken mid-run and every round still sees every record exactly once (issue 21).
 */
class ConstantSpillFailoverTest {

    private static final Path SPILL_DIRECTORY =
            Path.of("target", "constant-spill-failover-test").toAbsolutePath();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            SpillTestSupport.spillingCluster(
                    SpillTestSupport.managedMemoryAndSpillDirectory(32, SPILL_DIRECTORY));

    private static final long RECORDS = 2_000_000;
    private static final int ROUNDS = 4;

    private static final TypeInformation<Tuple3<Long, Long, Long>> RECORD =
            Types.TUPLE(Types.LONG, Types.LONG, Types.LONG);

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void aSpilledConstantRecoversExactlyFromAFailureInRound2(
            String backend, @TempDir Path checkpoints) throws Exception {
        Files.createDirectories(SPILL_DIRECTORY);
        String failure = UUID.randomUUID().toString();
        StreamExecutionEnvironment env =
                SpillTestSupport.checkpointedToDirectory(backend, checkpoints, 100);
        DataStream<Tuple3<Long, Long, Long>> constant =
                threeFields(env.fromSequence(0, RECORDS - 1));
        String spillDirectory = SPILL_DIRECTORY.toString();
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable("x", env.fromData(0))
                        .bindConstant("records", constant)
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> x = inputs.get("x");
                                    DataStream<Tuple3<Long, Long, Long>> records =
                                            inputs.get("records");
                                    DataStream<Tuple4<Integer, Long, Long, Boolean>> perRound =
                                            records.process(new FailHalfwayThroughRound2(failure))
                                                    .returns(RECORD)
                                                    .rebalance()
                                                    .process(new RoundChecksums(spillDirectory));
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", x.map(v -> v + 1))
                                            .withOutput("perRound", perRound)
                                            .until(TerminationCondition.maxRounds(ROUNDS))
                                            .build();
                                })
                        .apply();
        List<Tuple4<Integer, Long, Long, Boolean>> seen =
                TestCluster.collect(results.get("perRound"));

        assertThat(FailHalfwayThroughRound2.FAILED)
                .as("the injected failure happened")
                .contains(failure);
        assertThat(FailHalfwayThroughRound2.RESTORED)
                .as("the job restored from a checkpoint")
                .contains(failure);

        long expectedChecksum = expectedChecksum(RECORDS);
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
            assertThat(totals.get(round).f0).as("records in round %d", round).isEqualTo(RECORDS);
            assertThat(totals.get(round).f1)
                    .as("checksum of round %d", round)
                    .isEqualTo(expectedChecksum);
        }
        assertThat(spilled).as("a spill file existed while rounds ran").isTrue();
        assertThat(filesIn(SPILL_DIRECTORY)).as("spill files after the job").isZero();
    }

    /**
     * Passes records on and fails the job once, halfway through round 2 (counted over both
     * subtasks: each replays its own cache and may be a round ahead of the other), provided a
     * checkpoint has completed, so that the job restores from it.
     */
    private static final class FailHalfwayThroughRound2
            extends RoundAwareProcessFunction<Tuple3<Long, Long, Long>, Tuple3<Long, Long, Long>>
            implements CheckpointListener, CheckpointedFunction {

        static final Set<String> FAILED = ConcurrentHashMap.newKeySet();
        static final Set<String> RESTORED = ConcurrentHashMap.newKeySet();
        private static final Set<String> CHECKPOINTED = ConcurrentHashMap.newKeySet();
        private static final Map<String, AtomicLong> ROUND_2_RECORDS = new ConcurrentHashMap<>();

        private final String run;

        FailHalfwayThroughRound2(String run) {
            this.run = run;
        }

        @Override
        public void processElement(
                Tuple3<Long, Long, Long> value,
                int round,
                Context ctx,
                Collector<Tuple3<Long, Long, Long>> out) {
            if (round == 2
                    && ROUND_2_RECORDS.computeIfAbsent(run, r -> new AtomicLong()).incrementAndGet()
                            >= RECORDS / 2
                    && CHECKPOINTED.contains(run)
                    && FAILED.add(run)) {
                throw new IllegalStateException("Injected failure in round 2");
            }
            out.collect(value);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            CHECKPOINTED.add(run);
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {}

        @Override
        public void initializeState(FunctionInitializationContext context) {
            if (context.isRestored()) {
                RESTORED.add(run);
            }
        }
    }
}
