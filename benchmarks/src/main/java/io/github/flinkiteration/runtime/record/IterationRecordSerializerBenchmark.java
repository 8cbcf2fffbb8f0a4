package io.github.flinkiteration.runtime.record;

import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the round adds to a record crossing the network inside the loop: an {@link IterationRecord}
 * of a Long written and read back, next to the bare Long.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class IterationRecordSerializerBenchmark {

    private final IterationRecordSerializer<Long> serializer =
            new IterationRecordSerializer<>(LongSerializer.INSTANCE);
    private final IterationRecord<Long> record = new IterationRecord<>(7, 123_456_789L);
    private final DataOutputSerializer out = new DataOutputSerializer(64);
    private final DataInputDeserializer in = new DataInputDeserializer();

    @Benchmark
    public IterationRecord<Long> iterationRecordRoundTrip() throws Exception {
        out.clear();
        serializer.serialize(record, out);
        in.setBuffer(out.getSharedBuffer(), 0, out.length());
        return serializer.deserialize(in);
    }

    @Benchmark
    public Long bareLongRoundTrip() throws Exception {
        out.clear();
        LongSerializer.INSTANCE.serialize(record.getValue(), out);
        in.setBuffer(out.getSharedBuffer(), 0, out.length());
        return LongSerializer.INSTANCE.deserialize(in);
    }
}
