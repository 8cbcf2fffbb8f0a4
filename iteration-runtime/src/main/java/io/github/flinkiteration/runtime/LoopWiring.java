package io.github.flinkiteration.runtime;

import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.TerminationCondition;
import io.github.flinkiteration.api.spi.IterationSpec;
import io.github.flinkiteration.runtime.draft.BodyTranslator;
import io.github.flinkiteration.runtime.draft.DraftEnvironment;
import io.github.flinkiteration.runtime.draft.PlaceholderTransformation;
import io.github.flinkiteration.runtime.draft.RoundObservers;
import io.github.flinkiteration.runtime.protocol.AggregationPlan;
import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import io.github.flinkiteration.runtime.protocol.RoundSummary;
import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.record.IterationRecordTypeInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires a checked iteration into the job's environment: the entries, the translated body, tails and
 * deciders, termination checks, and outputs. The body is translated once all entries are bound,
 * since any of its operators may read any bound stream.
 */
final class LoopWiring {

    private static final Logger LOG = LoggerFactory.getLogger(LoopWiring.class);

    private final IterationSpec spec;
    private final String iterationName;
    private final StreamExecutionEnvironment env;
    private final DraftEnvironment draft;
    private final Map<String, PlaceholderTransformation<?>> placeholders;
    private final String iterationId = UUID.randomUUID().toString();

    /**
     * @param iterationName the iteration's name, unique in its job
     * @param placeholders by bound name, created before the body ran
     */
    LoopWiring(
            IterationSpec spec,
            String iterationName,
            StreamExecutionEnvironment env,
            DraftEnvironment draft,
            Map<String, PlaceholderTransformation<?>> placeholders) {
        this.spec = spec;
        this.iterationName = iterationName;
        this.env = env;
        this.draft = draft;
        this.placeholders = placeholders;
    }

    @SuppressWarnings({"unchecked", "rawtypes"}) // heads and tags are typed per variable
    ResultStreams wire(IterationDeclaration declaration) {
        TerminationCondition termination = declaration.getTermination();
        List<TerminationCondition.StreamCheck<?>> checks =
                termination == null ? List.of() : termination.getStreamChecks();
        logBuild(termination);
        ProgressPlan plan =
                new ProgressPlan(
                                iterationId,
                                iterationName,
                                termination == null ? 0 : termination.getMaxRounds().orElse(0),
                                spec.getVariables().size(),
                                checks.size(),
                                spec.isBounded(),
                                spec.getConstants().size(),
                                spec.getConfig().isLastFeedbackEnteringBody())
                        .withRescalableCheckpoints(spec.getConfig().isRescalableCheckpoints());
        // Everything the body created has a larger id than the first placeholder.
        int firstBodyTransformationId = placeholders.values().iterator().next().getId();
        if (spec.isBounded()) {
            Optional<String> lockStepReason =
                    lockStepReason(declaration, checks, firstBodyTransformationId);
            if (lockStepReason.isEmpty()) {
                plan = plan.withFreeFlow();
                LOG.info(
                        "Iteration '{}' lets feedback into the body as it comes: no operator of its"
                                + " body can observe a round boundary",
                        iterationName);
            } else {
                LOG.info(
                        "Iteration '{}' holds each round's feedback until the round starts: {}",
                        iterationName,
                        lockStepReason.get());
            }
        }
        if (!declaration.getAggregators().isEmpty()) {
            plan =
                    plan.withAggregation(
                            new AggregationPlan(
                                    declaration.getAggregators(),
                                    termination == null
                                            ? List.of()
                                            : termination.getAggregateChecks()));
        }
        CoLocation coLocation = new CoLocation(iterationId);
        IterationUids uids = new IterationUids(iterationName);
        LoopEntries entries = new LoopEntries(env, plan, coLocation, uids, spec.isBounded());

        BodyTranslator translator =
                new BodyTranslator(
                        env,
                        firstBodyTransformationId,
                        plan.isLockStep(),
                        draft,
                        plan.getAggregation() == null ? null : plan);
        Map<String, Transformation<?>> heads = new LinkedHashMap<>();
        Map<String, OutputTag<?>> finalValueTags = new LinkedHashMap<>();
        declaration
                .getFinalValues()
                .forEach(
                        (output, variable) ->
                                finalValueTags.put(
                                        variable,
                                        finalValueTag(
                                                variable, spec.getVariables().get(variable))));
        spec.getVariables()
                .forEach(
                        (name, initial) -> {
                            Transformation<?> head =
                                    entries.addHead(
                                            name,
                                            initial,
                                            heads.isEmpty(),
                                            (OutputTag) finalValueTags.get(name));
                            heads.put(name, head);
                            translator.bind(placeholders.get(name), head);
                        });
        spec.getData()
                .forEach(
                        (name, stream) ->
                                translator.bind(
                                        placeholders.get(name), entries.wrapInput(name, stream)));
        spec.getConstants()
                .forEach(
                        (name, stream) ->
                                translator.bind(
                                        placeholders.get(name), entries.addReplay(name, stream)));

        // Operators the body created but did not connect to a declared stream run too.
        for (Transformation<?> created : new ArrayList<>(draft.getTransformations())) {
            env.addOperator(translator.translate(created));
        }
        // A lone head of parallelism 1 decides alone, but gets its decider all the same: the
        // graph must not depend on the parallelism, or a snapshot taken at parallelism 2 would
        // hold a decider's state that a job at parallelism 1 has no operator for, and a job built
        // at parallelism 1 and scaled up (adaptive scheduler) would have heads waiting for
        // deciders that do not exist. At parallelism 1 the decider's decisions are ignored.
        boolean deciders = plan.isDecidedInDataPlane();
        LoopFeedback feedback =
                new LoopFeedback(
                        env,
                        plan,
                        coLocation,
                        uids,
                        plan.isLockStep(),
                        translator::inputsOutsideEdges);
        List<String> variables = new ArrayList<>(spec.getVariables().keySet());
        List<Transformation<RoundSummary>> tails = new ArrayList<>();
        declaration
                .getFeedbacks()
                .forEach(
                        (name, stream) ->
                                tails.add(
                                        feedback.addTail(
                                                deciders,
                                                name,
                                                variables.indexOf(name),
                                                heads.get(name),
                                                translator.translate(stream.getTransformation()))));
        if (deciders) {
            heads.forEach((name, head) -> feedback.addDecider(name, head, tails));
        }
        LoopExits exits = new LoopExits(env, plan, uids, spec.isBounded());
        for (int i = 0; i < checks.size(); i++) {
            TerminationCondition.StreamCheck<?> check = checks.get(i);
            exits.addCheck(i, check, translator.translate(check.getStream().getTransformation()));
        }
        Map<String, DataStream<?>> outputs = new LinkedHashMap<>();
        declaration
                .getOutputs()
                .forEach(
                        (name, stream) ->
                                outputs.put(name, exits.unwrapOutput(name, stream, translator)));
        declaration
                .getFinalValues()
                .forEach(
                        (name, variable) ->
                                outputs.put(
                                        name,
                                        exits.finalValueOutput(
                                                name,
                                                (Transformation) heads.get(variable),
                                                (OutputTag) finalValueTags.get(variable),
                                                spec.getVariables().get(variable).getType())));
        return spec.results(outputs);
    }

    /** The head's side output for the final value of {@code variable}. */
    private static <T> OutputTag<IterationRecord<T>> finalValueTag(
            String variable, DataStream<T> initial) {
        return new OutputTag<>(
                "final value of " + variable, new IterationRecordTypeInfo<>(initial.getType()));
    }

    /**
     * Why the rounds of this bounded iteration must be held (lock-step), or empty when nothing in
     * it can tell: no operator observes a round boundary ({@link RoundObservers}), and no part of
     * the iteration needs each round whole: a termination check or aggregator judges a round's
     * records, a constant is replayed into each round, and the last round's feedback entering the
     * body needs it held.
     */
    private Optional<String> lockStepReason(
            IterationDeclaration declaration,
            List<TerminationCondition.StreamCheck<?>> checks,
            int firstBodyTransformationId) {
        if (!checks.isEmpty()) {
            return Optional.of("a termination check judges each round's records");
        }
        if (!declaration.getAggregators().isEmpty()) {
            return Optional.of("aggregators sum each round");
        }
        if (!spec.getConstants().isEmpty()) {
            return Optional.of("constants are replayed into each round");
        }
        if (spec.getConfig().isLastFeedbackEnteringBody()) {
            return Optional.of("the last round's feedback enters the body (IterationConfig)");
        }
        List<Transformation<?>> roots = new ArrayList<>(draft.getTransformations());
        declaration.getFeedbacks().values().forEach(s -> roots.add(s.getTransformation()));
        declaration.getOutputs().values().forEach(s -> roots.add(s.getTransformation()));
        return RoundObservers.find(roots, firstBodyTransformationId, draft);
    }

    private void logBuild(TerminationCondition termination) {
        LOG.info(
                "Iteration '{}' built ({}): variables {}, data {}, constants {}, termination {}",
                iterationName,
                spec.isBounded() ? "bounded" : "unbounded",
                withParallelism(spec.getVariables()),
                withParallelism(spec.getData()),
                withParallelism(spec.getConstants()),
                describe(termination));
    }

    /** For the log: each name with its stream's parallelism, e.g. {@code [model (p=4)]}. */
    private static String withParallelism(Map<String, DataStream<?>> streams) {
        List<String> described = new ArrayList<>();
        streams.forEach(
                (name, stream) -> described.add(name + " (p=" + stream.getParallelism() + ")"));
        return described.toString();
    }

    private static String describe(TerminationCondition termination) {
        if (termination == null) {
            return "when no feedback is left";
        }
        List<String> parts = new ArrayList<>();
        termination.getMaxRounds().ifPresent(n -> parts.add("maxRounds(" + n + ")"));
        for (TerminationCondition.StreamCheck<?> check : termination.getStreamChecks()) {
            parts.add(
                    (check.isEmptiness()
                                    ? "whenEmpty("
                                    : "whenConverged(" + check.getCriterion() + ", ")
                            + check.getStream().getTransformation().getName()
                            + ")");
        }
        for (TerminationCondition.AggregateCheck<?> check : termination.getAggregateChecks()) {
            parts.add("whenAggregateConverged(" + check.getAggregator() + ")");
        }
        parts.add("no feedback left");
        return String.join(" or ", parts);
    }
}
