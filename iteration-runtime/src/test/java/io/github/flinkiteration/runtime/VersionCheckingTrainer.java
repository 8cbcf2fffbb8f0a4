package io.github.flinkiteration.runtime;

import io.github.flinkiteration.api.IterationListener;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.array.LongPrimitiveArraySerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple5;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.CoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The trainer of the online-training tests, for either order of its inputs: records ({@code Long})
 * and model versions ({@code (version, sum)}, broadcast). It passes each record on as its gradient
 * (and to {@link #TRAINED}) and checks that the fed-back versions it gets follow one another;
 * version 0, the initial model, is counted apart (the head may read it after earlier feedback).
 * Subtask 0 answers each model with a tick (0), up to {@code ticks} times in a job, so that models
 * go on circulating. At the end of the iteration it reports {@code (subtask, last version, versions
 * out of order, records, initial models)} on {@link #SUMMARY}.
 *
 * <p>Its counters are union state by subtask. A subtask restored without counters of its own (a new
 * one after scaling up) takes the first version it gets as its start.
 *
 * @param <A> the first input's type
 * @param <B> the second input's type
 */
final class VersionCheckingTrainer<A, B> extends CoProcessFunction<A, B, Long>
        implements IterationListener<Long>, CheckpointedFunction {

    private static final long serialVersionUID = 1L;

    static final OutputTag<Tuple5<Integer, Long, Long, Long, Long>> SUMMARY =
            new OutputTag<>(
                    "trainer-summary",
                    Types.TUPLE(Types.INT, Types.LONG, Types.LONG, Types.LONG, Types.LONG));

    static final OutputTag<Long> TRAINED = new OutputTag<>("trained", Types.LONG);

    private final long ticks;
    private transient long ticked;
    private long records;
    private long lastVersion;
    private long violations;
    private long initialModels;
    private transient ListState<long[]> state;

    /** A trainer that sends no ticks. */
    VersionCheckingTrainer() {
        this(0);
    }

    VersionCheckingTrainer(long ticks) {
        this.ticks = ticks;
    }

    @Override
    public void processElement1(
            A value, CoProcessFunction<A, B, Long>.Context ctx, Collector<Long> out) {
        accept(value, ctx, out);
    }

    @Override
    public void processElement2(
            B value, CoProcessFunction<A, B, Long>.Context ctx, Collector<Long> out) {
        accept(value, ctx, out);
    }

    @SuppressWarnings("unchecked")
    private void accept(
            Object value, CoProcessFunction<A, B, Long>.Context ctx, Collector<Long> out) {
        if (value instanceof Long record) {
            records++;
            out.collect(record);
            ctx.output(TRAINED, record);
            return;
        }
        long version = ((Tuple2<Long, Long>) value).f0;
        if (version == 0) {
            initialModels++;
            return;
        }
        if (lastVersion >= 0 && version != lastVersion + 1) {
            violations++;
        }
        lastVersion = version;
        if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0 && ticked < ticks) {
            ticked++;
            // Slow enough not to take both cores, fast enough to keep models in flight.
            LockSupport.parkNanos(200_000);
            out.collect(0L);
        }
    }

    @Override
    public void onRoundEnd(int round, IterationListener.Context context, Collector<Long> out) {}

    @Override
    public void onIterationTerminated(IterationListener.Context context, Collector<Long> out) {
        context.output(
                SUMMARY,
                Tuple5.of(
                        getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                        lastVersion,
                        violations,
                        records,
                        initialModels));
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        state.update(
                List.of(
                        new long[] {
                            getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                            records,
                            lastVersion,
                            violations,
                            initialModels
                        }));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        state =
                context.getOperatorStateStore()
                        .getUnionListState(
                                new ListStateDescriptor<>(
                                        "trainer", LongPrimitiveArraySerializer.INSTANCE));
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        lastVersion = context.isRestored() ? -1 : 0;
        for (long[] entry : state.get()) {
            if (entry[0] == subtask) {
                records = entry[1];
                lastVersion = entry[2];
                violations = entry[3];
                initialModels = entry[4];
            }
        }
    }
}
