package io.github.flinkiteration.api;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The solution set of a delta iteration inside its body: one value per key, held in Flink's keyed
 * state backend (on the heap with {@code hashmap}, on disk with {@code rocksdb}, so it may outgrow
 * memory), bound with {@link BoundedIteration#bindSolutionSet} and reached with {@link
 * IterationContext#solutionSet}. The body joins the workset (a variable) with it by key; the join
 * function reads the key's current value and may update it. When the iteration ends, {@link
 * #finalValues()} emits every value.
 *
 * <pre>{@code
 * SolutionSet<Integer, Tuple2<Integer, Integer>> labels = context.solutionSet("labels");
 * DataStream<Tuple2<Integer, Integer>> changed = labels.join(
 *         inputs.get("workset"), candidate -> candidate.f0,
 *         (candidate, current, ctx, out) -> {
 *             if (candidate.f1 < current.f1) {
 *                 ctx.update(candidate);
 *                 out.collect(candidate);
 *             }
 *         },
 *         labelType);
 * }</pre>
 *
 * <p><b>When updates are visible.</b> An update is applied to the state at once: a later lookup of
 * the same key sees it, in the same round and in every later one. Lookups of one key are processed
 * one at a time, in the order they arrive at the key's subtask. Since updates happen inside the
 * lookup, a change made in round {@code r} is in any case visible to every lookup of round {@code r
 * + 1}.
 *
 * <p><b>Round 0.</b> The initial values arrive in round 0, alongside the workset's initial records.
 * A round-0 lookup of a key that has no value yet waits (in keyed state) until every initial value
 * has arrived, and is processed at the end of round 0; so round 0 sees the complete initial
 * solution set.
 *
 * <p><b>Keys without a value.</b> A lookup of a key that is not in the solution set (after round 0
 * has loaded it) gets {@code current == null}; {@link SolutionSetJoinFunction.Context#update} then
 * inserts the key. Functions that expect every key to exist should fail there, naming it.
 *
 * @param <K> the key
 * @param <T> the values of the solution set
 */
public interface SolutionSet<K, T> {

    /** The name the solution set was bound under. */
    String getName();

    /** The key of a value of the solution set. */
    KeySelector<T, K> getKeySelector();

    /**
     * Joins {@code workset} with the solution set by key: for each record, {@code function} gets
     * the key's current value (or {@code null}) and may update it and emit records. Call it once
     * per solution set.
     */
    <W, O> DataStream<O> join(
            DataStream<W> workset,
            KeySelector<W, K> worksetKey,
            SolutionSetJoinFunction<W, T, O> function,
            TypeInformation<O> outputType);

    /**
     * Every value of the solution set when the iteration ends; declare it as an output. Available
     * after {@link #join}.
     */
    DataStream<T> finalValues();
}
