package io.github.flinkiteration.flinkml.common.datastream;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Keeps a uniform sample without replacement of at most {@code size} of its subtask's records
 * (reservoir sampling) and emits it when the input ends. The random draws depend on the seed, the
 * subtask and the number of records seen, so a restored subtask draws as the failed one would have.
 */
final class ReservoirSampleOperator<T> extends AbstractStreamOperator<T>
        implements OneInputStreamOperator<T, T>, BoundedOneInput {

    private static final long serialVersionUID = 1L;

    private final int size;
    private final long seed;
    private final TypeInformation<T> type;

    private transient List<T> reservoir;
    private transient long seen;
    private transient Random random;
    private transient ListState<T> reservoirState;
    private transient ListState<Long> seenState;

    ReservoirSampleOperator(int size, long seed, TypeInformation<T> type) {
        this.size = size;
        this.seed = seed;
        this.type = type;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        reservoirState =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("sample-reservoir", type));
        seenState =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("sample-seen", Types.LONG));
        reservoir = new ArrayList<>();
        reservoirState.get().forEach(reservoir::add);
        seen = 0;
        for (Long count : seenState.get()) {
            seen += count;
        }
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        random = new Random(seed * 31 + subtask * 1_000_003L + seen);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        reservoirState.update(reservoir);
        seenState.update(List.of(seen));
    }

    @Override
    public void processElement(StreamRecord<T> element) {
        seen++;
        if (reservoir.size() < size) {
            reservoir.add(element.getValue());
            return;
        }
        // Record number `seen` replaces a kept one with probability size / seen.
        long slot = (long) (random.nextDouble() * seen);
        if (slot < size) {
            reservoir.set((int) slot, element.getValue());
        }
    }

    @Override
    public void endInput() {
        for (T value : reservoir) {
            output.collect(new StreamRecord<>(value));
        }
        reservoir.clear();
    }
}
