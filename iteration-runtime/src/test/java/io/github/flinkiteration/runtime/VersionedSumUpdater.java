package io.github.flinkiteration.runtime;

import io.github.flinkiteration.api.IterationListener;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.array.LongPrimitiveArraySerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The model updater of the online-training tests: sums the records it gets (values above 0; a 0 is
 * a tick, which only counts towards the next version) and emits a new model version {@code
 * (version, sum)} after every {@code every} values. At the end of the iteration it reports {@code
 * (records, sum, last version)} on {@link #SUMMARY}. Parallelism 1; its counters are operator
 * state.
 */
final class VersionedSumUpdater extends ProcessFunction<Long, Tuple2<Long, Long>>
        implements IterationListener<Tuple2<Long, Long>>, CheckpointedFunction {

    private static final long serialVersionUID = 1L;

    static final OutputTag<Tuple3<Long, Long, Long>> SUMMARY =
            new OutputTag<>("updater-summary", Types.TUPLE(Types.LONG, Types.LONG, Types.LONG));

    private final long every;
    private long seen;
    private long records;
    private long sum;
    private long version;
    private transient ListState<long[]> state;

    VersionedSumUpdater(long every) {
        this.every = every;
    }

    @Override
    public void processElement(
            Long value,
            ProcessFunction<Long, Tuple2<Long, Long>>.Context ctx,
            Collector<Tuple2<Long, Long>> out) {
        if (value > 0) {
            records++;
            sum += value;
        }
        if (++seen % every == 0) {
            version++;
            out.collect(Tuple2.of(version, sum));
        }
    }

    @Override
    public void onRoundEnd(
            int round, IterationListener.Context context, Collector<Tuple2<Long, Long>> out) {}

    @Override
    public void onIterationTerminated(
            IterationListener.Context context, Collector<Tuple2<Long, Long>> out) {
        context.output(SUMMARY, Tuple3.of(records, sum, version));
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        state.update(List.of(new long[] {seen, records, sum, version}));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        state =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "updater", LongPrimitiveArraySerializer.INSTANCE));
        for (long[] entry : state.get()) {
            seen = entry[0];
            records = entry[1];
            sum = entry[2];
            version = entry[3];
        }
    }
}
