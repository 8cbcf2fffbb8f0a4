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
 * {@code open()}, and then only writes a long per record.
 *
 * <pre>{@code
 * CurrentRound holder = CurrentRound.ofThisThread();
 * long outerRound = holder.get();
 * RoundAggregates outerAggregates = holder.aggregates();
 * holder.set(record.getRound(), myAggregates);
 * try {
 *     operator.processElement(record.getValue());
 * } finally {
 *     holder.set(outerRound, outerAggregates);
 * }
 * }</pre>
 */
public final class CurrentRound {

    /** The value outside every iteration body. */
    public static final long NONE = -1;

    private static final ThreadLocal<CurrentRound> HOLDERS =
            ThreadLocal.withInitial(CurrentRound::new);

    private long round = NONE;
    private RoundAggregates aggregates;

    private CurrentRound() {}

    /** The holder of the calling thread. */
    public static CurrentRound ofThisThread() {
        return HOLDERS.get();
    }

    /**
     * Sets the current round and the aggregators of the operator about to run ({@code null} when
     * its iteration declares none).
     */
    public void set(long round, RoundAggregates aggregates) {
        this.round = round;
        this.aggregates = aggregates;
    }

    /** The aggregators of the operator running, or {@code null}. */
    public RoundAggregates aggregates() {
        return aggregates;
    }

    /** The current round, or {@link #NONE}. */
    public long get() {
        return round;
    }
}
