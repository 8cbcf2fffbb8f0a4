package io.github.flinkiteration.api;

import java.util.Map;
import java.util.function.Supplier;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Facts about the iteration whose body is being built, handed to {@link IterationBody#iterate}.
 *
 * <pre>{@code
 * new BoundedIteration()
 *         .bindVariable("x", initial)
 *         .withBody((inputs, context) -> {
 *             boolean bounded = context.isBounded();
 *             ...
 *         });
 * }</pre>
 */
public interface IterationContext {

    /** Whether the iteration is bounded (a {@link BoundedIteration}). */
    boolean isBounded();

    /**
     * The iteration's name: the one given with {@code name(...)}, or its default made unique in the
     * job (see {@link BoundedIteration#name(String)}).
     */
    String getName();

    /** The configuration the iteration was built with. */
    IterationConfig getConfig();

    /**
     * Builds part of the body with a {@linkplain OperatorLifecycle#PER_ROUND per-round lifecycle}:
     * every operator created inside {@code part} is instantiated afresh for each round, gets {@code
     * open}, {@code endInput}, {@code finish} and {@code close} in every round, sees only that
     * round's records, and starts each round with empty keyed state, operator state and timers.
     * Operators that emit at the end of their input (end-of-stream windows, for example) emit at
     * the end of every round. The streams {@code part} returns are handed back by name.
     *
     * <pre>{@code
     * ResultStreams perRound = context.forEachRound(() -> Map.of(
     *         "sums", points.keyBy(p -> p.cluster)
     *                 .window(GlobalWindows.createWithEndOfStreamTrigger())
     *                 .reduce(Point::add)));
     * DataStream<Point> sums = perRound.get("sums");   // one sum per cluster and round
     * }</pre>
     *
     * <p>Only in bounded iterations: the rounds of an unbounded iteration do not end while its
     * inputs are open, so a per-round operator would never be closed.
     *
     * @throws IllegalStateException in an unbounded iteration
     */
    ResultStreams forEachRound(Supplier<Map<String, DataStream<?>>> part);

    /**
     * The solution set bound under {@code name} with {@link BoundedIteration#bindSolutionSet}.
     *
     * <pre>{@code
     * SolutionSet<Integer, Tuple2<Integer, Integer>> labels = context.solutionSet("labels");
     * }</pre>
     *
     * @throws IllegalArgumentException if no solution set is bound under {@code name}
     */
    default <K, T> SolutionSet<K, T> solutionSet(String name) {
        throw new UnsupportedOperationException(
                "This iteration runtime has no solution sets (asked for '" + name + "').");
    }
}
