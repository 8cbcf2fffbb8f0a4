package io.github.flinkiteration.runtime;

import static io.github.flinkiteration.runtime.SpillTestSupport.filesIn;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationBody;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.RoundAwareProcessFunction;
import io.github.flinkiteration.api.SpillOptions;
import io.github.flinkiteration.api.TerminationCondition;
import io.github.flinkiteration.api.UnboundedIteration;
import io.github.flinkiteration.testing.ControlledSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The worst case for the hand-off from tail to head: a body that turns each record into four, every
 * round, so that each round's feedback is four times the last. With small managed memory and heap
 * limits for the hand-off (every chunk a tail hands over spills, and a tail of an unbounded loop
 * serializes its records beyond the first 100 the head has not taken), checkpoints every 100 ms and
 * a failure in the middle of round 3, every round's records and sum equal a plain-Java reference;
 * with the tail in its head's task and behind an exchange, bounded and unbounded, on hashmap and
 * RocksDB. No spill file is left afterwards.
 */
class MultiplyingLoopTest {

    private static final Path SPILL_DIRECTORY =
            Path.of("target", "multiplying-loop-test").toAbsolutePath();

    /** The hand-off's spill files start so (see HandoffSpill). */
    private static final String HANDOFF_FILE = "flink-iteration-handoff-";

    /** Initial values N .. 2N - 1. */
    private static final long N = 2_000;

    private static final int ROUNDS = 5;

    /** 8 MiB a TaskManager, 4 MiB a slot; the hand-off keeps 64 KiB or 100 records in memory. */
    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            SpillTestSupport.spillingCluster(clusterConfiguration());

    private static Configuration clusterConfiguration() {
        Configuration configuration =
                SpillTestSupport.managedMemoryAndSpillDirectory(8, SPILL_DIRECTORY);
        configuration.set(SpillOptions.HANDOFF_HEAP_BYTES, MemorySize.parse("64kb"));
        configuration.set(SpillOptions.HANDOFF_HEAP_RECORDS, 100);
        configuration.set(SpillOptions.EARLY_RECORDS_HEAP_RECORDS, 1_000);
        return configuration;
    }

    @ParameterizedTest(name = "{0}, {1}, tail {2}")
    @CsvSource({
        "hashmap, bounded, chained",
        "rocksdb, bounded, behind an exchange",
        "hashmap, unbounded, behind an exchange",
        "rocksdb, unbounded, chained"
    })
    void aMultiplyingBodyGivesTheReferenceResultThroughSpillsCheckpointsAndAFailure(
            String backend, String loop, String tail) throws Exception {
        Files.createDirectories(SPILL_DIRECTORY);
        String run = InjectedFailure.newRun();
        StreamExecutionEnvironment env = FailoverTest.checkpointedEnv(2, backend);
        String spillDirectory = SPILL_DIRECTORY.toString();
        boolean exchanged = tail.equals("behind an exchange");
        // Rounds 0 to 2 take 21 N records; round 3 takes 64 N.
        long failAfter = 21 * N + 32 * N;
        long lastFedBack = 2 * N * pow4(ROUNDS - 1);
        IterationBody body =
                (inputs, context) -> {
                    DataStream<Long> values = inputs.get("values");
                    DataStream<Long> checked =
                            values.process(new InjectedFailure<Long>(run, failAfter))
                                    .returns(Types.LONG);
                    DataStream<Long> next =
                            (exchanged ? checked.rebalance() : checked)
                                    .flatMap(
                                            (Long v, Collector<Long> out) -> {
                                                for (long k = 0; k < 4; k++) {
                                                    out.collect(4 * v + k);
                                                }
                                            })
                                    .returns(Types.LONG);
                    IterationDeclaration.Builder declaration =
                            IterationDeclaration.builder()
                                    .withOutput(
                                            "perRound",
                                            next.process(new SumsPerRound(spillDirectory)));
                    if (loop.equals("bounded")) {
                        return declaration
                                .withFeedback("values", next)
                                .until(TerminationCondition.maxRounds(ROUNDS))
                                .build();
                    }
                    // Round r's values lie in [N 4^(r+1), 2N 4^(r+1)): feed back rounds 0 .. R - 2.
                    return declaration
                            .withFeedback("values", next.filter(v -> v < lastFedBack))
                            .build();
                };
        ControlledSource.Gate gate = ControlledSource.newGate();
        // Half the input waits for a completed checkpoint, so that the loop cannot end before
        // the failure, which needs one to restore from.
        gate.allowBelow(N / 2);
        DataStream<Long> initial =
                env.fromSource(
                        ControlledSource.bounded(gate, N, i -> N + i, Types.LONG),
                        WatermarkStrategy.noWatermarks(),
                        "initial values");
        ResultStreams results =
                loop.equals("bounded")
                        ? new BoundedIteration()
                                .bindVariable("values", initial)
                                .withBody(body)
                                .apply()
                        : new UnboundedIteration()
                                .bindVariable("values", initial)
                                .withBody(body)
                                .apply();
        TestCluster.Collected<Tuple4<Integer, Long, Long, Boolean>> collected =
                TestCluster.collectLater(results.get("perRound"));
        env.executeAsync();
        while (!InjectedFailure.run(run).checkpointCompleted) {
            Thread.sleep(10);
        }
        gate.open();
        List<Tuple4<Integer, Long, Long, Boolean>> seen = collected.list();
        gate.close();

        Map<Integer, Tuple2<Long, Long>> totals = new HashMap<>();
        boolean handoffSpilled = false;
        for (Tuple4<Integer, Long, Long, Boolean> subtaskRound : seen) {
            totals.merge(
                    subtaskRound.f0,
                    Tuple2.of(subtaskRound.f1, subtaskRound.f2),
                    (a, b) -> Tuple2.of(a.f0 + b.f0, a.f1 + b.f1));
            handoffSpilled |= subtaskRound.f3;
        }
        assertThat(InjectedFailure.run(run).failed()).as("the injected failure happened").isTrue();
        assertThat(InjectedFailure.run(run).restoredFromCheckpoint)
                .as("the job restored from a checkpoint")
                .isTrue();
        assertThat(totals).isEqualTo(reference());
        assertThat(handoffSpilled).as("the hand-off spilled while rounds ran").isTrue();
        assertThat(filesIn(SPILL_DIRECTORY, "")).as("spill files after the job").isZero();
    }

    /** Records and sum of what the body emits in each round, in plain Java. */
    private static Map<Integer, Tuple2<Long, Long>> reference() {
        Map<Integer, Tuple2<Long, Long>> expected = new HashMap<>();
        List<Long> input = new ArrayList<>();
        for (long v = N; v < 2 * N; v++) {
            input.add(v);
        }
        for (int round = 0; round < ROUNDS; round++) {
            List<Long> output = new ArrayList<>(input.size() * 4);
            long sum = 0;
            for (long v : input) {
                for (long k = 0; k < 4; k++) {
                    output.add(4 * v + k);
                    sum += 4 * v + k;
                }
            }
            expected.put(round, Tuple2.of((long) output.size(), sum));
            input = output;
        }
        return expected;
    }

    private static long pow4(int exponent) {
        long result = 1;
        for (int i = 0; i < exponent; i++) {
            result *= 4;
        }
        return result;
    }

    /**
     * Emits, at each round's end, (round, records, sum, whether a hand-off spill file exists now).
     * Counts by the records' own round: in an unbounded loop records of the next round may come
     * before a round ends here. Its counts are checkpointed, since a checkpoint may fall in the
     * middle of a round.
     */
    private static final class SumsPerRound
            extends RoundAwareProcessFunction<Long, Tuple4<Integer, Long, Long, Boolean>>
            implements IterationListener<Tuple4<Integer, Long, Long, Boolean>>,
                    CheckpointedFunction {

        private transient ListState<Long> stored;

        private final String spillDirectory;
        private final Map<Integer, long[]> countAndSum = new HashMap<>();

        SumsPerRound(String spillDirectory) {
            this.spillDirectory = spillDirectory;
        }

        @Override
        public void processElement(
                Long value,
                int round,
                RoundAwareProcessFunction<Long, Tuple4<Integer, Long, Long, Boolean>>.Context ctx,
                Collector<Tuple4<Integer, Long, Long, Boolean>> out) {
            long[] counted = countAndSum.computeIfAbsent(round, r -> new long[2]);
            counted[0]++;
            counted[1] += value;
        }

        @Override
        public void onRoundEnd(
                int round,
                IterationListener.Context ctx,
                Collector<Tuple4<Integer, Long, Long, Boolean>> out) {
            boolean spilled = filesIn(Path.of(spillDirectory), HANDOFF_FILE) > 0;
            long[] counted = countAndSum.getOrDefault(round, new long[2]);
            countAndSum.remove(round);
            out.collect(Tuple4.of(round, counted[0], counted[1], spilled));
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            List<Long> flat = new ArrayList<>();
            countAndSum.forEach(
                    (round, counted) -> flat.addAll(List.of((long) round, counted[0], counted[1])));
            stored.update(flat);
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            stored =
                    context.getOperatorStateStore()
                            .getListState(new ListStateDescriptor<>("count-and-sum", Types.LONG));
            List<Long> restored = new ArrayList<>();
            stored.get().forEach(restored::add);
            countAndSum.clear();
            for (int i = 0; i + 2 < restored.size(); i += 3) {
                countAndSum.put(
                        restored.get(i).intValue(),
                        new long[] {restored.get(i + 1), restored.get(i + 2)});
            }
        }
    }
}
