package io.github.flinkiteration.runtime.feedback;

import java.util.Map;
import java.util.TreeMap;

/**
 * How a head whose rounds flow freely (unbounded iterations, and bounded ones whose body observes
 * no round boundary) restored at another parallelism rebuilds its feedback counts: from the first
 * round not yet decided on, every old head's counts go to one new head (subtask 0), so that the
 * counts the coordinator sums per round stay the same; earlier rounds were decided and their counts
 * are dropped.
 */
final class RescaledCounts {

    private final long firstRound;
    private final boolean takesCounts;
    private final Map<Long, Long> moved = new TreeMap<>();
    private long lumpFrom;
    private long lumpTo;
    private long lumpRecords;

    /**
     * @param firstRound the first round whose count still matters (the round after the first
     *     undecided one)
     * @param takesCounts whether this subtask takes the old heads' counts (exactly one does)
     */
    RescaledCounts(long firstRound, boolean takesCounts) {
        this.firstRound = firstRound;
        this.takesCounts = takesCounts;
    }

    /** Adds {@code records} that entered {@code round} at one old head. */
    void add(long round, long records) {
        if (takesCounts && round >= firstRound && records != 0) {
            moved.merge(round, records, Long::sum);
        }
    }

    /** Adds one old head's counts, stored as (round, records) pairs. */
    void addPairs(long[] pairs) {
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            add(pairs[i], pairs[i + 1]);
        }
    }

    /**
     * Adds one old head's lumped counts (lowest round, highest round, records; see {@code
     * FreeFlowPacing}), merged into one lump: every round in it saw feedback somewhere.
     */
    void addLump(long[] lump) {
        if (!takesCounts || lump.length != 3 || lump[2] == 0 || lump[1] < firstRound) {
            return;
        }
        long from = Math.max(lump[0], firstRound);
        if (lumpRecords == 0) {
            lumpFrom = from;
            lumpTo = lump[1];
        } else {
            lumpFrom = Math.min(lumpFrom, from);
            lumpTo = Math.max(lumpTo, lump[1]);
        }
        lumpRecords += lump[2];
    }

    /** The lump this subtask starts with, as (lowest, highest, records), or empty if none. */
    long[] lump() {
        return lumpRecords == 0 ? new long[0] : new long[] {lumpFrom, lumpTo, lumpRecords};
    }

    /** The counts this subtask starts with, by round. */
    Map<Long, Long> counts() {
        return moved;
    }
}
