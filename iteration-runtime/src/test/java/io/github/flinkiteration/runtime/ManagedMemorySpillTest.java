package io.github.flinkiteration.runtime;

import static io.github.flinkiteration.runtime.SpillTestSupport.checksum;
import static io.github.flinkiteration.runtime.SpillTestSupport.expectedChecksum;
import static io.github.flinkiteration.runtime.SpillTestSupport.filesIn;
import static io.github.flinkiteration.runtime.SpillTestSupport.threeFields;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.TerminationCondition;
import io.github.flinkiteration.memory.ManagedMemoryList;
import io.github.flinkiteration.testing.Jobs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.co.CoProcessFunction;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Data far larger than its managed memory spills to disk and still reads back exactly, and the
 * spill files are gone when the job ends: a replayed constant, and a {@link ManagedMemoryList} in a
 * user's operator.
 */
class ManagedMemorySpillTest {

    private static final Path SPILL_DIRECTORY =
            Path.of("target", "replay-spill-test").toAbsolutePath();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            SpillTestSupport.spillingCluster(
                    SpillTestSupport.managedMemoryAndSpillDirectory(32, SPILL_DIRECTORY));

    private static final long RECORDS = 2_000_000;
    private static final int ROUNDS = 3;

    @Test
    void twoMillionRecordsIn32MibSpillAndReplayExactly() throws Exception {
        Files.createDirectories(SPILL_DIRECTORY);
        StreamExecutionEnvironment env = TestCluster.env(2);
        // 24 bytes a record serialized: about 48 MB against 32 MiB for both slots of a TM.
        DataStream<Tuple3<Long, Long, Long>> constant =
                threeFields(env.fromSequence(0, RECORDS - 1).setParallelism(1)).setParallelism(2);
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
                                            records.rebalance()
                                                    .process(new RoundChecksums(spillDirectory))
                                                    .setParallelism(3);
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", x.map(v -> v + 1))
                                            .withOutput("perRound", perRound)
                                            .until(TerminationCondition.maxRounds(ROUNDS))
                                            .build();
                                })
                        .apply();
        List<Tuple4<Integer, Long, Long, Boolean>> seen =
                TestCluster.collect(results.get("perRound"));

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

    @Test
    void aManagedMemoryListInAUsersOperatorSpillsAndReadsBackExactly() throws Exception {
        Files.createDirectories(SPILL_DIRECTORY);
        long records = 3_000_000;
        StreamExecutionEnvironment env = TestCluster.env(2);
        SingleOutputStreamOperator<Tuple4<Long, Long, Long, Long>> passes =
                threeFields(env.fromSequence(0, records - 1))
                        .transform(
                                "gather and scan twice",
                                Types.TUPLE(Types.LONG, Types.LONG, Types.LONG, Types.LONG),
                                new GatherAndScanTwice());
        ManagedMemoryList.declareManagedMemory(passes.getTransformation(), 100);
        List<Tuple4<Long, Long, Long, Long>> perSubtask = TestCluster.collect(passes);

        long expectedChecksum = expectedChecksum(records);
        long count = 0;
        long checksum = 0;
        long spilled = 0;
        for (Tuple4<Long, Long, Long, Long> subtask : perSubtask) {
            count += subtask.f0;
            checksum += subtask.f1;
            // The second pass read exactly what the first did.
            assertThat(subtask.f2).isEqualTo(subtask.f1);
            spilled += subtask.f3;
        }
        assertThat(count).isEqualTo(records);
        assertThat(checksum).isEqualTo(expectedChecksum);
        assertThat(spilled).as("bytes spilled").isPositive();
        assertThat(filesIn(SPILL_DIRECTORY)).as("spill files after the job").isZero();
    }

    @Test
    void addingToAManagedMemoryListAfterReadingItFailsWithAClearMessage() {
        StreamExecutionEnvironment env = TestCluster.env(1);
        SingleOutputStreamOperator<Long> addsAfterReading =
                env.fromSequence(0, 9)
                        .transform("add after reading", Types.LONG, new AddAfterReading());
        ManagedMemoryList.declareManagedMemory(addsAfterReading.getTransformation(), 100);
        assertThatThrownBy(() -> TestCluster.collect(addsAfterReading))
                .hasStackTraceContaining("ManagedMemoryList 'late'")
                .hasStackTraceContaining("call clear() before adding again");
    }

    /** Reads its list after the first record and adds the next one: a misuse. */
    private static final class AddAfterReading extends AbstractStreamOperator<Long>
            implements OneInputStreamOperator<Long, Long> {

        private transient ManagedMemoryList<Long> list;

        @Override
        public void open() throws Exception {
            super.open();
            list = ManagedMemoryList.create(this, LongSerializer.INSTANCE, "late");
        }

        @Override
        public void processElement(StreamRecord<Long> element) {
            list.add(element.getValue());
            list.iterator();
        }

        @Override
        public void close() throws Exception {
            if (list != null) {
                list.close();
            }
            super.close();
        }
    }

    /**
     * Gathers its input in a {@link ManagedMemoryList}; at the end emits (records, checksum of pass
     * 1, checksum of pass 2, bytes spilled).
     */
    private static final class GatherAndScanTwice
            extends AbstractStreamOperator<Tuple4<Long, Long, Long, Long>>
            implements OneInputStreamOperator<
                            Tuple3<Long, Long, Long>, Tuple4<Long, Long, Long, Long>>,
                    BoundedOneInput {

        private transient ManagedMemoryList<Tuple3<Long, Long, Long>> gathered;

        @Override
        public void open() throws Exception {
            super.open();
            gathered =
                    ManagedMemoryList.create(
                            this, config.getTypeSerializerIn(0, getUserCodeClassloader()), "test");
        }

        @Override
        public void processElement(StreamRecord<Tuple3<Long, Long, Long>> element) {
            gathered.add(element.getValue());
        }

        @Override
        public void endInput() {
            long[] checksums = new long[2];
            for (int pass = 0; pass < 2; pass++) {
                for (Tuple3<Long, Long, Long> value : gathered) {
                    checksums[pass] += checksum(value);
                }
            }
            output.collect(
                    new StreamRecord<>(
                            Tuple4.of(
                                    gathered.size(),
                                    checksums[0],
                                    checksums[1],
                                    gathered.spilledBytes())));
        }

        @Override
        public void close() throws Exception {
            if (gathered != null) {
                gathered.close();
            }
            super.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cancelled", "failed"})
    void spillFilesAreGoneWhenTheJobEndsEarly(String ending) throws Exception {
        Files.createDirectories(SPILL_DIRECTORY);
        StreamExecutionEnvironment env = TestCluster.env(2);
        DataStream<Tuple3<Long, Long, Long>> constant =
                threeFields(env.fromSequence(0, RECORDS - 1));
        boolean fail = ending.equals("failed");
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable("x", env.fromData(0))
                        .bindConstant("records", constant)
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> x = inputs.get("x");
                                    DataStream<Tuple3<Long, Long, Long>> records =
                                            inputs.get("records");
                                    // Round 1 reads the replay, so a spill file exists by then.
                                    DataStream<Integer> next =
                                            records.connect(x.broadcast())
                                                    .process(new FailInRound(fail ? 2 : -1));
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", next)
                                            .withOutput("rounds", next)
                                            .until(TerminationCondition.maxRounds(1_000_000))
                                            .build();
                                })
                        .apply();
        try (CloseableIterator<Integer> rounds = results.<Integer>get("rounds").collectAsync()) {
            JobClient job = env.executeAsync();
            // Wait until round 3 started: rounds 1 and 2 were replayed from the spilled cache.
            while (!fail && rounds.hasNext() && rounds.next() < 3) {}
            if (!fail) {
                assertThat(filesIn(SPILL_DIRECTORY)).as("spill files while running").isPositive();
                job.cancel().get();
            }
            JobStatus status = Jobs.awaitTerminalStatus(job);
            assertThat(status).isEqualTo(fail ? JobStatus.FAILED : JobStatus.CANCELED);
        }
        assertThat(filesIn(SPILL_DIRECTORY)).as("spill files after the job").isZero();
    }

    /** Emits the round number at each round's end; throws at the end of round {@code failIn}. */
    private static final class FailInRound
            extends CoProcessFunction<Tuple3<Long, Long, Long>, Integer, Integer>
            implements IterationListener<Integer> {
        private final int failIn;

        FailInRound(int failIn) {
            this.failIn = failIn;
        }

        @Override
        public void processElement1(
                Tuple3<Long, Long, Long> value,
                CoProcessFunction<Tuple3<Long, Long, Long>, Integer, Integer>.Context ctx,
                Collector<Integer> out) {}

        @Override
        public void processElement2(
                Integer value,
                CoProcessFunction<Tuple3<Long, Long, Long>, Integer, Integer>.Context ctx,
                Collector<Integer> out) {}

        @Override
        public void onRoundEnd(int round, IterationListener.Context ctx, Collector<Integer> out) {
            if (round == failIn) {
                throw new IllegalStateException("failing on purpose in round " + round);
            }
            if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
                out.collect(round + 1);
            }
        }
    }
}
