package io.github.flinkiteration.runtime.checkpoint;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.typeutils.base.array.LongPrimitiveArraySerializer;

/**
 * A subtask's round progress (a few counters) in union operator state, so that a restore at another
 * parallelism sees the progress of every subtask that took the checkpoint and can combine it.
 *
 * <p>Each subtask stores one entry: its index, the parallelism it ran at, then its counters. On a
 * restore at the same parallelism a subtask takes back its own entry ({@link Restored#own}); at
 * another parallelism it gets every old subtask's entry ({@link Restored#all}) and its operator
 * decides how they combine (see docs/failure-semantics.md §7). Split list state would not do: Flink
 * deals its elements out in ranges and would tear one subtask's counters apart.
 */
public final class SubtaskProgress {

    private final ListState<long[]> entries;
    private final int subtask;
    private final int parallelism;

    private SubtaskProgress(ListState<long[]> entries, int subtask, int parallelism) {
        this.entries = entries;
        this.subtask = subtask;
        this.parallelism = parallelism;
    }

    /** Registers (or, on restore, finds) the state {@code name} of subtask {@code subtask}. */
    public static SubtaskProgress register(
            OperatorStateStore store, String name, int subtask, int parallelism) throws Exception {
        return new SubtaskProgress(
                store.getUnionListState(
                        new ListStateDescriptor<>(name, LongPrimitiveArraySerializer.INSTANCE)),
                subtask,
                parallelism);
    }

    /** Replaces this subtask's entry. */
    public void update(long... counters) throws Exception {
        long[] entry = new long[counters.length + 2];
        entry[0] = subtask;
        entry[1] = parallelism;
        System.arraycopy(counters, 0, entry, 2, counters.length);
        entries.update(List.of(entry));
    }

    /** What was restored; {@link Restored#isEmpty()} when nothing was. */
    public Restored restored() throws Exception {
        List<long[]> stored = new ArrayList<>();
        Iterable<long[]> all = entries.get();
        if (all != null) {
            all.forEach(stored::add);
        }
        return new Restored(stored);
    }

    /** The entries a subtask found on restore. */
    public final class Restored {
        private final List<long[]> stored;

        private Restored(List<long[]> stored) {
            this.stored = stored;
        }

        public boolean isEmpty() {
            return stored.isEmpty();
        }

        /** Whether the checkpoint was taken at another parallelism than this subtask runs at. */
        public boolean isRescaled() {
            return !stored.isEmpty() && stored.get(0)[1] != parallelism;
        }

        /**
         * This subtask's own counters, restored at the same parallelism; an empty array if none.
         */
        public long[] own() {
            for (long[] entry : stored) {
                if (entry[0] == subtask && entry[1] == parallelism) {
                    return counters(entry);
                }
            }
            return new long[0];
        }

        /** The counters of every subtask that took the checkpoint, in no particular order. */
        public List<long[]> all() {
            List<long[]> result = new ArrayList<>(stored.size());
            for (long[] entry : stored) {
                result.add(counters(entry));
            }
            return result;
        }

        private long[] counters(long[] entry) {
            long[] counters = new long[entry.length - 2];
            System.arraycopy(entry, 2, counters, 0, counters.length);
            return counters;
        }
    }
}
