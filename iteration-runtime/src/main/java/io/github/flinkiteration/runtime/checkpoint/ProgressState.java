package io.github.flinkiteration.runtime.checkpoint;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.typeutils.base.LongSerializer;

/**
 * A subtask's round progress (a few counters) in operator list state. Each operator names the
 * positions of its counters; an empty array means nothing was restored.
 */
public final class ProgressState {

    private final ListState<Long> values;

    private ProgressState(ListState<Long> values) {
        this.values = values;
    }

    /** Registers (or, on restore, finds) the state {@code name} in {@code store}. */
    public static ProgressState register(OperatorStateStore store, String name) throws Exception {
        return new ProgressState(
                store.getListState(new ListStateDescriptor<>(name, LongSerializer.INSTANCE)));
    }

    public void update(long... counters) throws Exception {
        List<Long> list = new ArrayList<>(counters.length);
        for (long counter : counters) {
            list.add(counter);
        }
        values.update(list);
    }

    public long[] get() throws Exception {
        List<Long> list = new ArrayList<>();
        Iterable<Long> stored = values.get();
        if (stored != null) {
            stored.forEach(list::add);
        }
        long[] counters = new long[list.size()];
        for (int i = 0; i < counters.length; i++) {
            counters[i] = list.get(i);
        }
        return counters;
    }
}
