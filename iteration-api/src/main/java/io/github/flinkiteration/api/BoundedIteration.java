package io.github.flinkiteration.api;

import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * An iteration over bounded inputs that runs round after round until its termination condition
 * holds or a round feeds nothing back.
 *
 * <pre>{@code
 * ResultStreams results = new BoundedIteration()
 *         .bindVariable("centroids", initialCentroids)
 *         .bindConstant("points", points)   // replayed to the body every round
 *         .withBody((inputs, context) -> {
 *             DataStream<Centroids> next = ...;
 *             return IterationDeclaration.builder()
 *                     .withFeedback("centroids", next)
 *                     .withOutput("model", next)
 *                     .until(TerminationCondition.maxRounds(20))
 *                     .build();
 *         })
 *         .apply();
 * DataStream<Centroids> model = results.get("model");
 * }</pre>
 *
 * <p>All bound streams must come from the same {@code StreamExecutionEnvironment}; the iteration is
 * added to it by {@link #apply()}.
 *
 * <p><b>Round order.</b> Rounds run in lock-step for every operator that can tell: an {@link
 * IterationListener}, an operator created inside {@link IterationContext#forEachRound}, a keyed
 * operator (its state may carry across rounds). Each gets all records of round {@code r} before any
 * of round {@code r + 1}. When the body has none of these, and the iteration no termination check,
 * aggregator or constant, feedback enters the body as soon as it is produced: records of round
 * {@code r + 1} may pass an operator before the last ones of round {@code r}. Every record still
 * carries its exact round ({@link RoundAwareProcessFunction}), and the iteration ends, as in
 * lock-step, after every record has done its rounds.
 */
public final class BoundedIteration {

    private final IterationBindings bindings = new IterationBindings();

    /**
     * Binds a variable: {@code initial} enters the body in round 0, and the feedback declared for
     * {@code name} enters it in every later round.
     */
    public BoundedIteration bindVariable(String name, DataStream<?> initial) {
        bindings.bindVariable(name, initial);
        return this;
    }

    /** Binds a bounded stream that the body reads once, in round 0. It is not replayed. */
    public BoundedIteration bindData(String name, DataStream<?> stream) {
        bindings.bindData(name, stream);
        return this;
    }

    /**
     * Binds a bounded stream that the body reads in every round: in round 0 as it arrives, and in
     * each later round replayed from a cache, followed by the round's end. Use it for training data
     * that every round goes over.
     */
    /**
     * Binds the initial values of a solution set, keyed by {@code key}: a delta iteration's state,
     * one value per key, kept in Flink's keyed state backend. The body reaches it with {@link
     * IterationContext#solutionSet} and joins a workset (a variable) with it; the iteration ends
     * after a round whose workset fed nothing back (or by its termination condition), and {@link
     * SolutionSet#finalValues()} gives the result.
     *
     * <pre>{@code
     * new BoundedIteration()
     *         .bindSolutionSet("labels", initialLabels, label -> label.f0)
     *         .bindVariable("workset", initialCandidates)
     *         .withBody((inputs, context) -> {
     *             SolutionSet<Integer, Tuple2<Integer, Integer>> labels = context.solutionSet("labels");
     *             ...
     *         });
     * }</pre>
     *
     * <p>Flink must be able to key by the key's type (no arrays, no types without a proper {@code
     * hashCode}); the body fails to build otherwise.
     */
    public <K, T> BoundedIteration bindSolutionSet(
            String name, DataStream<T> initial, KeySelector<T, K> key) {
        bindings.bindSolutionSet(name, initial, key);
        return this;
    }

    public BoundedIteration bindConstant(String name, DataStream<?> stream) {
        bindings.bindConstant(name, stream);
        return this;
    }

    /** Sets the iteration's options; {@link IterationConfig#defaults()} otherwise. */
    public BoundedIteration withConfig(IterationConfig config) {
        bindings.setConfig(config);
        return this;
    }

    /**
     * Names the iteration, for the metrics and log lines that describe it and for the ids of its
     * own operators (heads, tails, control sources, replays, checks, inputs and outputs), which
     * derive from the name: {@code flink-iteration/<name>/<role>/<variable>}. A savepoint restores
     * into the iteration of the same name, so <b>renaming an iteration breaks savepoint
     * compatibility</b>, as changing a {@code uid} would. The body's operators keep the uids the
     * user gives them; set them as in any Flink job.
     *
     * <p>By default the name is {@code iteration} followed by the variables' names, for example
     * {@code iteration[centroids]}; a second iteration of the same job with the same default gets
     * {@code iteration[centroids]#2}, a third {@code #3}, in the order they are built. A name given
     * here is taken as is: two iterations of one job with the same given name fail at {@code
     * apply()}.
     *
     * <pre>{@code
     * new BoundedIteration().name("kmeans").bindVariable("centroids", initial)...
     * }</pre>
     */
    public BoundedIteration name(String name) {
        bindings.setName(name);
        return this;
    }

    /**
     * Replaces the default name {@code iteration[<variables>]} with {@code name}, for libraries
     * that build iterations for their users. It stays a default: {@link #name(String)} wins over
     * it, and a second iteration of the job with the same default gets {@code name#2}.
     */
    public BoundedIteration defaultName(String name) {
        bindings.setDefaultName(name);
        return this;
    }

    /** Sets the body. */
    public BoundedIteration withBody(IterationBody body) {
        bindings.setBody(body);
        return this;
    }

    /**
     * Builds the iteration into the job graph and returns its outputs.
     *
     * @throws IllegalArgumentException if the body or its bindings are invalid; the message names
     *     the stream or operator at fault
     * @throws IllegalStateException if {@code iteration-runtime} is not on the classpath
     */
    public ResultStreams apply() {
        return bindings.apply(true);
    }
}
