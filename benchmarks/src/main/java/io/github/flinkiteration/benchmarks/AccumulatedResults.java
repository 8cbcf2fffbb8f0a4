package io.github.flinkiteration.benchmarks;

import java.io.Serializable;
import java.util.List;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.accumulators.ListAccumulator;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Brings a job's results back in an accumulator, which the job's result carries, as the peers'
 * harnesses ({@code ../shared/anchors}) read theirs. A collect sink would have the client fetch
 * from the job manager every few milliseconds while the job runs: CPU time inside the measured span
 * that the peers do not spend (on W4, about 0.4 s of a 4 s span, in Flink's RPC threads).
 */
final class AccumulatedResults {

    private AccumulatedResults() {}

    /** Ends {@code stream}: each value goes into the accumulator {@code name}, then nowhere. */
    static <T extends Serializable> void keep(DataStream<T> stream, String name) {
        int parallelism = stream.getParallelism();
        stream.map(new Keep<T>(name))
                .returns(stream.getType())
                .setParallelism(parallelism)
                .name("keep in accumulator")
                .sinkTo(new DiscardingSink<>())
                .setParallelism(parallelism)
                .name("discard");
    }

    /** What {@link #keep} kept under {@code name}; empty if nothing reached it. */
    static <T> List<T> of(JobExecutionResult result, String name) {
        List<T> kept = result.getAccumulatorResult(name);
        return kept == null ? List.of() : kept;
    }

    private static final class Keep<T extends Serializable> extends RichMapFunction<T, T> {
        private final String name;
        private final ListAccumulator<T> kept = new ListAccumulator<>();

        Keep(String name) {
            this.name = name;
        }

        @Override
        public void open(OpenContext openContext) {
            getRuntimeContext().addAccumulator(name, kept);
        }

        @Override
        public T map(T value) {
            kept.add(value);
            return value;
        }
    }
}
