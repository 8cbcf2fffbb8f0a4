package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.TerminationCondition;
import io.github.flinkiteration.runtime.replay.ReplayOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A constant far larger than its managed memory spills to disk and is still replayed exactly, and
 * its spill files are gone when the job ends.
 */
class ReplaySpillTest {

    private static final Path SPILL_DIRECTORY =
            Path.of("target", "replay-spill-test").toAbsolutePath();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(2)
                            .setNumberSlotsPerTaskManager(2)
                            .setConfiguration(clusterConfiguration())
                            .build());

    private static Configuration clusterConfiguration() {
        Configuration configuration = new Configuration();
        configuration.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(32));
        configuration.set(ReplayOptions.SPILL_DIRECTORIES, List.of(SPILL_DIRECTORY.toString()));
        return configuration;
    }

    private static final long RECORDS = 2_000_000;
    private static final int ROUNDS = 3;

    @Test
    void twoMillionRecordsIn32MibSpillAndReplayExactly() throws Exception {
        Files.createDirectories(SPILL_DIRECTORY);
        StreamExecutionEnvironment env = TestCluster.env(2);
        // 24 bytes a record serialized: about 48 MB against 32 MiB for both slots of a TM.
        DataStream<Tuple3<Long, Long, Long>> constant =
                env.fromSequence(0, RECORDS - 1)
                        .setParallelism(1)
                        .map(i -> Tuple3.of(i, i % 1000, 7 * i))
                        .returns(Types.TUPLE(Types.LONG, Types.LONG, Types.LONG))
                        .setParallelism(2);
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
                                                    .process(new Checksums(spillDirectory))
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

        long expectedChecksum = 0;
        for (long i = 0; i < RECORDS; i++) {
            expectedChecksum += i * 31 + i % 1000 + 7 * i;
        }
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

    private static long filesIn(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Emits, at each round's end, (round, records, checksum, whether a spill file exists now); the
     * checksum weighs the fields differently so that a swapped or repeated record shows.
     */
    private static final class Checksums
            extends ProcessFunction<Tuple3<Long, Long, Long>, Tuple4<Integer, Long, Long, Boolean>>
            implements IterationListener<Tuple4<Integer, Long, Long, Boolean>> {

        private final String spillDirectory;
        private long count;
        private long checksum;

        Checksums(String spillDirectory) {
            this.spillDirectory = spillDirectory;
        }

        @Override
        public void processElement(
                Tuple3<Long, Long, Long> value,
                ProcessFunction<Tuple3<Long, Long, Long>, Tuple4<Integer, Long, Long, Boolean>>
                                .Context
                        ctx,
                Collector<Tuple4<Integer, Long, Long, Boolean>> out) {
            count++;
            checksum += value.f0 * 31 + value.f1 + value.f2;
        }

        @Override
        public void onRoundEnd(
                int round,
                IterationListener.Context ctx,
                Collector<Tuple4<Integer, Long, Long, Boolean>> out) {
            out.collect(Tuple4.of(round, count, checksum, filesIn(Path.of(spillDirectory)) > 0));
            count = 0;
            checksum = 0;
        }
    }
}
