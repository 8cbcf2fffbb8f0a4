package io.github.flinkiteration.api;

import org.apache.flink.api.common.functions.Function;
import org.apache.flink.util.Collector;

/**
 * Joins one workset record with the current value of its key in a {@link SolutionSet}. Functions of
 * the body may call {@link IterationRuntimeContext} from here (the round, aggregators).
 *
 * <pre>{@code
 * SolutionSetJoinFunction<Tuple2<Integer, Integer>, Tuple2<Integer, Integer>, Tuple2<Integer, Integer>>
 *         smaller = (candidate, current, ctx, out) -> {
 *             if (current == null || candidate.f1 < current.f1) {
 *                 ctx.update(candidate);
 *                 out.collect(candidate);
 *             }
 *         };
 * }</pre>
 *
 * @param <W> the workset records
 * @param <T> the values of the solution set
 * @param <O> what the join emits
 */
@FunctionalInterface
public interface SolutionSetJoinFunction<W, T, O> extends Function {

    /**
     * @param record a workset record
     * @param current the solution set's value for the record's key, or {@code null} if it has none
     */
    void join(W record, T current, Context<T> context, Collector<O> out) throws Exception;

    /** Writes to the solution set. */
    interface Context<T> {
        /**
         * Sets the value of the key being joined (inserting it if absent). The value must have that
         * key.
         */
        void update(T value);
    }
}
