package io.github.flinkiteration.runtime.wrapper;

import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.runtime.record.IterationRecord;
import java.util.concurrent.TimeUnit;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One round ending at a two-input wrapper: the round watermark arrives on both inputs, the wrapper
 * takes the minimum, calls the listener's {@code onRoundStart} and {@code onRoundEnd}, and emits
 * the watermark; reports ns per round.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RoundAlignmentBenchmark {

    private TwoInputRoundWrapper<Object, Object, Object> wrapper;
    private long round;

    @Setup
    public void setUp(Blackhole blackhole) {
        BlackholeOutput output = new BlackholeOutput(blackhole);
        wrapper =
                new TwoInputRoundWrapper<>(
                        new ConsumingListener(blackhole),
                        new RoundTaggingOutput<>(output),
                        // Only the output is used outside a running task: no state, no timers.
                        new StreamOperatorParameters<>(null, null, output, () -> null, null, null),
                        true);
        round = 0;
    }

    @Benchmark
    public void alignOneRound() throws Exception {
        Watermark mark = new Watermark(round++);
        wrapper.processWatermark1(mark);
        wrapper.processWatermark2(mark);
    }

    /** An operator that only listens; it is never given a record here. */
    private static final class ConsumingListener extends AbstractStreamOperator<Object>
            implements TwoInputStreamOperator<Object, Object, Object>, IterationListener<Object> {
        // Consumed, so that the JIT cannot drop the callbacks being measured.
        private final Blackhole blackhole;

        ConsumingListener(Blackhole blackhole) {
            this.blackhole = blackhole;
        }

        @Override
        public void processElement1(StreamRecord<Object> element) {}

        @Override
        public void processElement2(StreamRecord<Object> element) {}

        @Override
        public void onRoundStart(int round, Context context, Collector<Object> out) {
            blackhole.consume(round);
        }

        @Override
        public void onRoundEnd(int round, Context context, Collector<Object> out) {
            blackhole.consume(round);
        }
    }

    private static final class BlackholeOutput
            implements Output<StreamRecord<IterationRecord<Object>>> {
        private final Blackhole blackhole;

        BlackholeOutput(Blackhole blackhole) {
            this.blackhole = blackhole;
        }

        @Override
        public void emitWatermark(Watermark mark) {
            blackhole.consume(mark);
        }

        @Override
        public void collect(StreamRecord<IterationRecord<Object>> record) {
            blackhole.consume(record);
        }

        @Override
        public <X> void collect(OutputTag<X> outputTag, StreamRecord<X> record) {
            blackhole.consume(record);
        }

        @Override
        public void emitWatermarkStatus(WatermarkStatus watermarkStatus) {}

        @Override
        public void emitLatencyMarker(LatencyMarker latencyMarker) {}

        @Override
        public void emitRecordAttributes(RecordAttributes recordAttributes) {}

        @Override
        public void emitWatermark(WatermarkEvent watermark) {}

        @Override
        public void close() {}
    }
}
