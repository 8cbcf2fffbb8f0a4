package io.github.flinkiteration.api;

import io.github.flinkiteration.api.spi.CurrentRound;
import io.github.flinkiteration.api.spi.RoundAggregates;
import io.github.flinkiteration.api.spi.SaturatedRound;

/**
 * What any function of an iteration body can ask about the iteration it runs in, like the superstep
 * number of a DataSet rich function: a {@code RichMapFunction}, a {@code KeyedProcessFunction}, a
 * window function or an operator of one's own can call these methods from the calls Flink makes to
 * process a record, from a timer, and from {@link IterationListener} callbacks.
 *
 * <pre>{@code
 * DataStream<String> tagged = inputs.<Integer>get("x").map(new RichMapFunction<Integer, String>() {
 *     public String map(Integer v) {
 *         return "round " + IterationRuntimeContext.currentRound() + ": " + v;
 *     }
 * });
 * }</pre>
 *
 * <p>The value is kept per task thread and set by the round wrapper around each call it makes into
 * the operator: the round of the record being processed or of the callback being run. Calls that
 * Flink makes to the operator directly ({@code open}, {@code close}, processing-time timers,
 * checkpoint hooks) have no round; there {@link #isInIteration()} is false.
 */
public final class IterationRuntimeContext {

    private IterationRuntimeContext() {}

    /**
     * The round of the record or callback being processed: 0 for the initial records of the
     * variables and for data inputs, {@code r + 1} for feedback of round {@code r}. Rounds past
     * {@link Integer#MAX_VALUE}, which only an unbounded iteration reaches, read as {@link
     * Integer#MAX_VALUE}; {@link #currentRoundExact()} tells them apart.
     *
     * @throws IllegalStateException when called outside an iteration body (for example in an
     *     operator after the iteration's outputs, or before the body's first record)
     */
    public static int currentRound() {
        return SaturatedRound.of(currentRoundExact());
    }

    /**
     * The round of the record or callback being processed, exact for as long as an unbounded
     * iteration runs: what {@link #currentRound()} gives, without its cap at {@link
     * Integer#MAX_VALUE}.
     *
     * <pre>{@code
     * long round = IterationRuntimeContext.currentRoundExact();
     * out.collect(Tuple2.of(round, value));
     * }</pre>
     *
     * @throws IllegalStateException when called outside an iteration body, as {@link
     *     #currentRound()}
     */
    public static long currentRoundExact() {
        long round = CurrentRound.ofThisThread().get();
        if (round == CurrentRound.NONE) {
            throw new IllegalStateException(
                    "IterationRuntimeContext.currentRound() was called outside an iteration body"
                            + " (thread '"
                            + Thread.currentThread().getName()
                            + "'). Only functions applied to the streams of an iteration body know"
                            + " a round, and only while they process a record or a listener"
                            + " callback; call it there, or pass the round along in the records.");
        }
        return round;
    }

    /** Whether the calling thread is processing a record or callback of an iteration body. */
    public static boolean isInIteration() {
        return CurrentRound.ofThisThread().get() != CurrentRound.NONE;
    }

    /**
     * The aggregator {@code name}, declared with {@link
     * IterationDeclaration.Builder#withAggregator}; what is added to it in round {@code r} is read
     * in round {@code r + 1} through {@link #previousAggregate}.
     *
     * <pre>{@code
     * IterationRuntimeContext.<Double>aggregator("danglingMass").add(rank);
     * }</pre>
     */
    public static <IN> IterationAggregator<IN> aggregator(String name) {
        aggregatesOf(name);
        return new IterationAggregator<>(name);
    }

    /**
     * The global value of aggregator {@code name} over everything every subtask added in the
     * previous round. In round 0 it is the value of an empty aggregate: the aggregate function's
     * {@code getResult(createAccumulator())} (0 for {@link Aggregators#doubleSum()}).
     *
     * <pre>{@code
     * double dangling = IterationRuntimeContext.<Double>previousAggregate("danglingMass");
     * }</pre>
     */
    @SuppressWarnings("unchecked")
    public static <OUT> OUT previousAggregate(String name) {
        return (OUT) aggregatesOf(name).previous(name);
    }

    static RoundAggregates aggregatesOf(String name) {
        currentRound();
        RoundAggregates aggregates = CurrentRound.ofThisThread().aggregates();
        if (aggregates == null) {
            throw new IllegalStateException(
                    "Aggregator '"
                            + name
                            + "' was used, but this iteration declares no aggregators. Declare it"
                            + " in the body's declaration: IterationDeclaration.builder()"
                            + ".withAggregator(\""
                            + name
                            + "\", ...).");
        }
        return aggregates;
    }
}
