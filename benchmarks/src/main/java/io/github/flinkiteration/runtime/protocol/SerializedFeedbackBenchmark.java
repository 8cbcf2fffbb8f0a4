package io.github.flinkiteration.runtime.protocol;

import io.github.flinkiteration.runtime.record.IterationRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What a lock-step round of feedback costs per record on its way from tail to head, without the
 * channel: the tail writes each Long record into {@link SerializedFeedback} chunks, the head
 * rebuilds the records when the round starts. Reports ns per record, for a round of {@link
 * #RECORDS} records.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SerializedFeedbackBenchmark {

    static final int RECORDS = 100_000;

    private final List<StreamRecord<IterationRecord<Long>>> round = new ArrayList<>();
    private final List<SerializedFeedback> chunks = new ArrayList<>();
    private SerializedFeedback.Writer<Long> writer;
    private Blackhole blackhole;

    @Setup
    public void setUp(Blackhole blackhole) {
        this.blackhole = blackhole;
        writer = new SerializedFeedback.Writer<>(LongSerializer.INSTANCE);
        for (long i = 0; i < RECORDS; i++) {
            round.add(new StreamRecord<>(new IterationRecord<>(0, i * 1000)));
        }
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void writeAndRebuildOneRound() throws Exception {
        chunks.clear();
        for (StreamRecord<IterationRecord<Long>> record : round) {
            SerializedFeedback full = writer.write(record, 1);
            if (full != null) {
                chunks.add(full);
            }
        }
        chunks.add(writer.take());
        for (SerializedFeedback chunk : chunks) {
            chunk.emit(LongSerializer.INSTANCE, blackhole::consume);
        }
    }
}
