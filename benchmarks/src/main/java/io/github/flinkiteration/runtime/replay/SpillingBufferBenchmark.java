package io.github.flinkiteration.runtime.replay;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.runtime.memory.MemoryManager;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The replay cache: {@link #RECORDS} Long records appended and then read back once, with all of
 * them in managed memory ({@code pages = 64}, 2 MiB) or with all but the first page spilled to a
 * file ({@code pages = 1}); reports ns per record for the append and the read together.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SpillingBufferBenchmark {

    static final int RECORDS = 100_000;
    private static final int PAGE = 32 * 1024;

    @Param({"64", "1"})
    public int pages;

    private MemoryManager memory;
    private Path directory;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        memory = MemoryManager.create(64L * PAGE, PAGE);
        directory = Files.createTempDirectory("spilling-buffer-benchmark");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        memory.shutdown();
        Files.deleteIfExists(directory);
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void appendThenReadOnce(Blackhole blackhole) throws Exception {
        try (SpillingBuffer<Long> buffer =
                new SpillingBuffer<>(
                        LongSerializer.INSTANCE, memory, this, pages, directory, "bench-")) {
            for (long i = 0; i < RECORDS; i++) {
                buffer.append(i);
            }
            buffer.finish();
            Iterator<Long> it = buffer.read();
            while (it.hasNext()) {
                blackhole.consume(it.next());
            }
        }
    }
}
