package io.github.flinkiteration.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner's checksums are what other tools compare: each must equal its closed form. Small sizes
 * keep this quick; the workloads are the same code at full size.
 */
class WorkloadsTest {

    @Test
    void w1CountsOneRoundAtATime() throws Exception {
        int rounds = 25;
        RunResult result = Workloads.w1(Workloads.environment(2, -1), rounds);
        assertThat(result.checksum).isEqualTo(rounds);
    }

    @Test
    void w1AndW3GiveTheSameChecksumsInBatchMode() throws Exception {
        int rounds = 25;
        StreamExecutionEnvironment w1 = Workloads.environment(2, -1);
        w1.setRuntimeMode(RuntimeExecutionMode.BATCH);
        RunResult counter = Workloads.w1(w1, rounds);
        assertThat(counter.checksum).isEqualTo(rounds);
        assertThat(counter.toJson()).contains("\"mode\": \"batch\"");

        long n = 2_000;
        StreamExecutionEnvironment w3 = Workloads.environment(2, -1);
        w3.setRuntimeMode(RuntimeExecutionMode.BATCH);
        RunResult sum = Workloads.w3(w3, 7, n);
        assertThat(sum.checksum).isEqualTo(1000.0 * n * (n - 1) / 2 + 7.0 * n);
    }

    @Test
    void w3SumMatchesTheFormulaOfBenchmarksMd() throws Exception {
        long n = 2_000;
        int rounds = 7;
        RunResult result = Workloads.w3(Workloads.environment(2, -1), rounds, n);
        // Record i starts at i * 1000 and gains one per round.
        assertThat(result.checksum).isEqualTo(1000.0 * n * (n - 1) / 2 + (double) rounds * n);
    }

    @Test
    void ckptSumsTheLastRoundAndTheConstantAndReportsTheLoopsCheckpoints() throws Exception {
        long n = 200_000;
        int rounds = 4;
        RunResult result = CheckpointWorkload.run(2, rounds, n, 100);
        // W3's last round, plus the constant 0 … n − 1 once.
        assertThat(result.checksum)
                .isEqualTo(
                        1000.0 * n * (n - 1) / 2 + (double) rounds * n + (double) n * (n - 1) / 2);
        String json = result.toJson();
        for (String field :
                List.of(
                        "\"checkpoints\"",
                        "\"headSyncMsMedian\"",
                        "\"headAsyncMsMax\"",
                        "\"headStateBytesMax\"",
                        "\"replaySyncMsMax\"",
                        "\"replayStateBytesMedian\"")) {
            assertThat(json).contains(field);
        }
        assertThat(json).doesNotContain("\"checkpoints\": 0.0");
    }

    @Test
    void w3ChainGivesW3sSumWithoutAnIteration() throws Exception {
        long n = 2_000;
        int rounds = 7;
        RunResult result = Workloads.w3Chain(Workloads.environment(2, -1), rounds, n);
        assertThat(result.checksum).isEqualTo(1000.0 * n * (n - 1) / 2 + (double) rounds * n);
    }

    @Test
    void jsonLinesAreSummarizedIntoMediansAndDerivedFigures(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("runs.jsonl");
        for (long ms : new long[] {1000, 1200, 1100}) {
            new RunResult("w1", 1, 1, ms + 2000, ms, 1.0).appendTo(file);
        }
        for (long ms : new long[] {2000, 2098, 2500}) {
            new RunResult("w1", 1, 1000, ms + 2000, ms, 1000.0).appendTo(file);
        }
        assertThat(Files.readAllLines(file)).hasSize(6);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Summary.print(file, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String summary = bytes.toString(StandardCharsets.UTF_8);
        // Medians 1100 and 2098: (2098 - 1100) / 999 = 0.999 ms per round.
        assertThat(summary).contains("1000 /   1100 /   1200");
        assertThat(summary).contains("W1 p=1: 0.999 ms per round");
        assertThat(summary).doesNotContain("BATCH");

        // The same figures from runs in BATCH mode are summarized apart.
        new RunResult("w1", 1, 1, 1000, 1000, 1.0).inMode("batch").appendTo(file);
        new RunResult("w1", 1, 1000, 3000, 3000, 1000.0).inMode("batch").appendTo(file);
        ByteArrayOutputStream withBatch = new ByteArrayOutputStream();
        Summary.print(file, new PrintStream(withBatch, true, StandardCharsets.UTF_8));
        assertThat(withBatch.toString(StandardCharsets.UTF_8))
                .contains("W1 p=1: 0.999 ms per round")
                .contains("W1 BATCH p=1: 2.002 ms per round");
        assertThat(Summary.median(List.of(4L, 1L, 3L, 2L))).isEqualTo(2L);
    }

    @Test
    void w4MakesOneModelVersionPerBatchOfEachTrainerAndWritesItsFigures(@TempDir Path dir)
            throws Exception {
        long records = 20_000;
        RunResult result = OnlineTrainingWorkload.run(Workloads.environment(2, -1), records);
        // Each of the two trainers gets 10,000 records: 10 full batches, one version each.
        assertThat(result.rounds).isEqualTo(records / OnlineTrainingWorkload.BATCH);
        assertThat(result.checksum).isBetween(0.0, 1.0);
        Path file = dir.resolve("w4.jsonl");
        result.appendTo(file);
        assertThat(Files.readString(file))
                .contains("\"workload\": \"w4\"")
                .contains("\"recordsPerSecond\": ")
                .contains("\"startMs\": ")
                .contains("\"processingRecordsPerSecond\": ")
                .contains("\"latencyP50Ms\": ")
                .contains("\"latencyP99Ms\": ")
                .contains("\"accuracy\": ");
    }

    @Test
    void recordsOptionSetsW3sRecordsAndEveryLineCarriesThePeakHeap(@TempDir Path dir)
            throws Exception {
        long n = 3_000;
        int rounds = 2;
        RunResult result =
                Workloads.run("w3", 2, rounds, -1, false, RuntimeExecutionMode.STREAMING, n);
        assertThat(result.checksum).isEqualTo(1000.0 * n * (n - 1) / 2 + (double) rounds * n);
        // The run allocated at least the records it collected; the heap peak cannot be zero.
        assertThat(result.peakHeapBytes).isPositive();
        assertThat(result.toJson())
                .contains("\"records\": 3000")
                .contains("\"peakHeapBytes\": " + result.peakHeapBytes);
        assertThat(new RunResult("w1", 1, 1, 1, 1, 1.0).toJson())
                .contains("\"peakHeapBytes\": ")
                .doesNotContain("\"records\"");

        // A W3 configuration with other records is summarized apart, its records/s from them.
        Path file = dir.resolve("w3.jsonl");
        new RunResult("w3", 2, 1, 1000, 1000, 1.0).withRecords(3_000_000).appendTo(file);
        new RunResult("w3", 2, 3, 3000, 3000, 1.0).withRecords(3_000_000).appendTo(file);
        new RunResult("w3", 2, 1, 1000, 1000, 1.0).withRecords(Workloads.W3_RECORDS).appendTo(file);
        new RunResult("w3", 2, 3, 2000, 2000, 1.0).withRecords(Workloads.W3_RECORDS).appendTo(file);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Summary.print(file, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        // 2 rounds x 3,000,000 records in 2 s; 2 rounds x 1,000,000 records in 1 s.
        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .contains("W3 records=3000000 p=2: 3.0 million records/s")
                .contains("W3 p=2: 2.0 million records/s");
    }

    @Test
    void w5AtParallelismOneTrainsTheStepsOfItsSingleSessionLimit(@TempDir Path dir)
            throws Exception {
        int rows = 1_000; // 15 full batches and a partial one, as in both loops
        RunResult training = TensorFlowTrainingWorkload.run(Workloads.environment(1, -1), rows, 3);
        RunResult session = TensorFlowTrainingWorkload.runSession(rows, 3, 1);
        // The same steps on the same batches: the last round's loss is the same.
        assertThat(training.checksum).isCloseTo(session.checksum, within(1e-6));
        assertThat(training.checksum).isBetween(0.0, 1.0);
        Path file = dir.resolve("w5.jsonl");
        training.appendTo(file);
        session.appendTo(file);
        assertThat(Files.readString(file))
                .contains("\"workload\": \"w5\"")
                .contains("\"workload\": \"w5-session\"")
                .contains("\"rowsPerSecond\": ")
                .contains("\"msPerRound\": ")
                .contains("\"finalLoss\": ");
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        Summary.print(file, new PrintStream(text, true, StandardCharsets.UTF_8));
        assertThat(text.toString(StandardCharsets.UTF_8))
                .contains("W5 session: ")
                .contains("W5 p=1: ")
                .contains("% of 1 x one session");
    }

    @Test
    void w5SessionsAtOnceEachTrainTheirShareOfTheRows(@TempDir Path dir) throws Exception {
        List<Row> rows = TensorFlowTrainingWorkload.rows(1_000);
        RunResult together = TensorFlowTrainingWorkload.runSession(rows, 3, 2);
        // Each session alone on its half, one after the other: the same steps per session.
        RunResult first = TensorFlowTrainingWorkload.runSession(rows.subList(0, 500), 3, 1);
        RunResult second = TensorFlowTrainingWorkload.runSession(rows.subList(500, 1_000), 3, 1);
        assertThat(together.parallelism).isEqualTo(2);
        assertThat(together.checksum)
                .isCloseTo((first.checksum + second.checksum) / 2, within(1e-6));
        Path file = dir.resolve("w5-sessions.jsonl");
        first.appendTo(file);
        together.appendTo(file);
        assertThat(Files.readString(file))
                .contains("\"trainerCpuMs\": ")
                .contains("\"processCpuMs\": ");
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        Summary.print(file, new PrintStream(text, true, StandardCharsets.UTF_8));
        assertThat(text.toString(StandardCharsets.UTF_8))
                .contains("W5 session: ")
                .contains("W5 2 sessions: ")
                .contains("% of 2 x one session");
    }

    @Test
    void percentilesAreNearestRank() {
        List<Long> sorted = List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(OnlineTrainingWorkload.percentile(sorted, 0.50)).isEqualTo(5.0);
        assertThat(OnlineTrainingWorkload.percentile(sorted, 0.99)).isEqualTo(10.0);
        assertThat(OnlineTrainingWorkload.percentile(List.of(), 0.5)).isEqualTo(0.0);
    }
}
