package io.github.flinkiteration.runtime;

import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.spi.IterationSpec;
import io.github.flinkiteration.runtime.draft.DraftEnvironment;
import io.github.flinkiteration.runtime.draft.PlaceholderTransformation;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Builds one iteration into the job graph: runs the body against placeholders in a draft
 * environment, checks what it declared, and wires the real graph: control source and head per
 * variable, the translated body, a tail per feedback, a check per termination stream, and an
 * unwrapping operator per output. {@link IterationValidator} checks, {@link LoopWiring} wires. See
 * {@code docs/architecture.md}.
 */
final class IterationBuilder {

    private final IterationSpec spec;
    private final Map<String, PlaceholderTransformation<?>> placeholders = new LinkedHashMap<>();

    IterationBuilder(IterationSpec spec) {
        this.spec = spec;
    }

    ResultStreams build() {
        IterationValidator validator = new IterationValidator(spec);
        StreamExecutionEnvironment env = validator.checkBindings();
        String name = IterationNames.claim(env, spec);
        BatchJobSettings.apply(env, name);

        DraftEnvironment draft = new DraftEnvironment(env, spec.getConfig().getDefaultLifecycle());
        Map<String, DataStream<?>> bodyInputs = new LinkedHashMap<>();
        spec.getVariables()
                .forEach(
                        (bound, stream) ->
                                bodyInputs.put(bound, placeholder(draft, bound, stream)));
        spec.getData()
                .forEach(
                        (bound, stream) ->
                                bodyInputs.put(bound, placeholder(draft, bound, stream)));
        spec.getConstants()
                .forEach(
                        (bound, stream) ->
                                bodyInputs.put(bound, placeholder(draft, bound, stream)));

        IterationDeclaration declaration =
                spec.getBody()
                        .iterate(
                                new BodyInputs(bodyInputs),
                                new BodyContext(spec, name, draft, bodyInputs));
        validator.checkDeclaration(declaration);
        Set<Transformation<?>> loopInputs = new HashSet<>();
        spec.getVariables().keySet().forEach(bound -> loopInputs.add(placeholders.get(bound)));
        spec.getConstants().keySet().forEach(bound -> loopInputs.add(placeholders.get(bound)));
        validator.checkTerminationStreams(declaration, loopInputs);
        return new LoopWiring(spec, name, env, draft, placeholders).wire(declaration);
    }

    private <T> DataStream<T> placeholder(
            DraftEnvironment draft, String name, DataStream<T> bound) {
        PlaceholderTransformation<T> placeholder =
                new PlaceholderTransformation<>(
                        name,
                        bound.getType(),
                        bound.getParallelism(),
                        bound.getTransformation().getMaxParallelism());
        placeholders.put(name, placeholder);
        return new DataStream<>(draft, placeholder);
    }
}
