package io.github.flinkiteration.runtime.draft;

import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.api.OperatorLifecycle;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.operators.AbstractUdfStreamOperator;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.api.transformations.PartitionTransformation;
import org.apache.flink.streaming.api.transformations.SideOutputTransformation;
import org.apache.flink.streaming.api.transformations.TwoInputTransformation;
import org.apache.flink.streaming.api.transformations.UnionTransformation;

/**
 * Finds, in the operators of a bounded body, the first one that could tell whether rounds are held:
 * one that hears round boundaries ({@link IterationListener}, a per-round lifecycle), one whose
 * keyed state may carry from one round into the next (a keyed operator, broadcast state), or one
 * whose workings the translation cannot see (an operator of the user's own). Without such an
 * operator, a body sees the same records with the same rounds whether the head holds each round's
 * feedback until the round starts or lets it in at once; only records of different rounds may
 * interleave.
 *
 * <p>Operators are judged by what the translation can see: the operator object and its user
 * function. An operator built by a factory that does not show its operator is taken to observe
 * rounds. A function that reads the round of its record ({@code RoundAwareProcessFunction}, {@code
 * IterationRuntimeContext#currentRound}) still reads it exactly. A function that remembers records
 * in fields or operator state of its own can see two rounds interleave; {@code BoundedIteration}
 * documents that only listeners, keyed state and per-round operators get rounds in order.
 */
public final class RoundObservers {

    private RoundObservers() {}

    /**
     * The first operator of the body that could observe a round boundary, described for the log;
     * empty if none could.
     *
     * @param roots the body's declared streams (feedback, outputs, termination checks) and every
     *     operator it created; the search follows their inputs back to the bound streams
     * @param firstBodyTransformationId transformations with a lower id were not created by the body
     */
    public static Optional<String> find(
            Collection<Transformation<?>> roots,
            int firstBodyTransformationId,
            DraftEnvironment draft) {
        Deque<Transformation<?>> open = new ArrayDeque<>(roots);
        Set<Integer> seen = new HashSet<>();
        while (!open.isEmpty()) {
            Transformation<?> current = open.pop();
            if (current instanceof PlaceholderTransformation<?>
                    || current.getId() < firstBodyTransformationId
                    || !seen.add(current.getId())) {
                continue;
            }
            Optional<String> observer = observerIn(current, draft);
            if (observer.isPresent()) {
                return observer;
            }
            open.addAll(current.getInputs());
        }
        return Optional.empty();
    }

    private static Optional<String> observerIn(Transformation<?> t, DraftEnvironment draft) {
        String name = "operator '" + t.getName() + "'";
        if (t instanceof PartitionTransformation<?>
                || t instanceof UnionTransformation<?>
                || t instanceof SideOutputTransformation<?>) {
            return Optional.empty(); // no operator of their own
        }
        if (draft.lifecycleOf(t) == OperatorLifecycle.PER_ROUND) {
            return Optional.of(name + " has a per-round lifecycle");
        }
        if (t instanceof OneInputTransformation<?, ?> oneInput) {
            if (oneInput.getStateKeySelector() != null) {
                return Optional.of(name + " is keyed: its state may carry across rounds");
            }
            return listenerIn(name, oneInput.getOperatorFactory());
        }
        if (t instanceof TwoInputTransformation<?, ?, ?> twoInput) {
            if (twoInput.getStateKeySelector1() != null
                    || twoInput.getStateKeySelector2() != null) {
                return Optional.of(name + " is keyed: its state may carry across rounds");
            }
            return listenerIn(name, twoInput.getOperatorFactory());
        }
        // Keyed reductions, broadcast state, multiple inputs and the rest: assume they observe.
        return Optional.of(name + " (" + t.getClass().getSimpleName() + ") may hold state");
    }

    private static Optional<String> listenerIn(String name, StreamOperatorFactory<?> factory) {
        if (!(factory instanceof SimpleOperatorFactory<?> simple)) {
            return Optional.of(name + " is built by a factory that does not show its operator");
        }
        StreamOperator<?> operator = simple.getOperator();
        if (operator instanceof IterationListener<?>) {
            return Optional.of(name + " is an IterationListener");
        }
        if (!(operator instanceof AbstractUdfStreamOperator<?, ?> udf)) {
            return Optional.of(name + " is an operator of its own, whose workings are not known");
        }
        Object function = udf.getUserFunction();
        if (function instanceof IterationListener<?>) {
            return Optional.of(name + " is an IterationListener");
        }
        return Optional.empty();
    }
}
