package io.github.flinkiteration.api.spi;

import io.github.flinkiteration.api.IterationRuntimeContext;

/**
 * The round the task thread is working on, read by {@link IterationRuntimeContext#currentRound()}.
 * The runtime's round wrappers set it before they call into a body operator (a record, a listener
 * callback, the end of the iteration) and put the previous value back afterwards, so that operators
 * chained behind each other each see their own round and code outside any body sees none.
 *
 * <p>One holder per thread: a Flink task runs every operator of its chain on one thread, so a
 * thread-local value needs no lookup by operator. A wrapper takes its thread's holder once, in
 * {@code open()}, and then only writes an int per record.
 *
 * <pre>{@code
 * CurrentRound holder = CurrentRound.ofThisThread();
 * int previous = holder.enter(record.getRound());
 * try {
 *     operator.processElement(record.getValue());
 * } finally {
 *     holder.leave(previous);
 * }
 * }</pre>
 */
public final class CurrentRound {

    /** The value outside every iteration body. */
    public static final int NONE = -1;

    private static final ThreadLocal<CurrentRound> HOLDERS =
            ThreadLocal.withInitial(CurrentRound::new);

    private int round = NONE;

    private CurrentRound() {}

    /** The holder of the calling thread. */
    public static CurrentRound ofThisThread() {
        return HOLDERS.get();
    }

    /** Sets {@code round} as current and returns the value to give {@link #leave} afterwards. */
    public int enter(int round) {
        int previous = this.round;
        this.round = round;
        return previous;
    }

    /** Puts back the value {@link #enter} returned. */
    public void leave(int previous) {
        this.round = previous;
    }

    /** The current round, or {@link #NONE}. */
    public int get() {
        return round;
    }
}
