package io.github.flinkiteration.runtime;

import io.github.flinkiteration.api.IterationConfig;
import io.github.flinkiteration.api.IterationContext;
import io.github.flinkiteration.api.OperatorLifecycle;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.SolutionSet;
import io.github.flinkiteration.api.spi.IterationSpec;
import io.github.flinkiteration.runtime.delta.BodySolutionSet;
import io.github.flinkiteration.runtime.draft.DraftEnvironment;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * What the body may ask of its iteration while it runs. Operators created in {@link #forEachRound}
 * are recorded in the draft with a per-round lifecycle.
 */
final class BodyContext implements IterationContext {

    private final IterationSpec spec;
    private final String name;
    private final DraftEnvironment draft;
    private final Map<String, DataStream<?>> inputs;
    private final Map<String, SolutionSet<?, ?>> solutionSets = new HashMap<>();

    /**
     * @param name the iteration's name, unique in its job
     */
    BodyContext(IterationSpec spec, String name, DraftEnvironment draft) {
        this(spec, name, draft, Map.of());
    }

    /**
     * @param inputs the body's streams by bound name (for solution sets)
     */
    BodyContext(
            IterationSpec spec,
            String name,
            DraftEnvironment draft,
            Map<String, DataStream<?>> inputs) {
        this.spec = spec;
        this.name = name;
        this.draft = draft;
        this.inputs = inputs;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <K, T> SolutionSet<K, T> solutionSet(String solutionSet) {
        KeySelector<T, K> key = (KeySelector<T, K>) spec.getSolutionSetKeys().get(solutionSet);
        if (key == null) {
            throw new IllegalArgumentException(
                    "The body asks for solution set '"
                            + solutionSet
                            + "', but "
                            + (spec.isBounded()
                                    ? "the iteration binds "
                                            + (spec.getSolutionSetKeys().isEmpty()
                                                    ? "none"
                                                    : "only " + spec.getSolutionSetKeys().keySet())
                                            + ". Bind it with bindSolutionSet(\""
                                            + solutionSet
                                            + "\", initialValues, keySelector)."
                                    : "an UnboundedIteration has no solution sets: a delta"
                                            + " iteration ends when its workset runs dry. Use a"
                                            + " BoundedIteration with bindSolutionSet(...)."));
        }
        return (SolutionSet<K, T>)
                solutionSets.computeIfAbsent(
                        solutionSet,
                        n -> BodySolutionSet.of(n, (DataStream<T>) inputs.get(n), key));
    }

    @Override
    public ResultStreams forEachRound(Supplier<Map<String, DataStream<?>>> part) {
        if (!spec.isBounded()) {
            throw new IllegalStateException(IterationValidator.PER_ROUND_UNBOUNDED);
        }
        Map<String, DataStream<?>> streams = draft.withLifecycle(OperatorLifecycle.PER_ROUND, part);
        if (streams == null) {
            throw new IllegalArgumentException(
                    "The function given to forEachRound returned null; return a map of the"
                            + " streams the rest of the body uses (Map.of() for none).");
        }
        return spec.results(streams);
    }

    @Override
    public boolean isBounded() {
        return spec.isBounded();
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public IterationConfig getConfig() {
        return spec.getConfig();
    }
}
