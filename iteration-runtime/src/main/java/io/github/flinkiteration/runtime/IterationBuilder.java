package io.github.flinkiteration.runtime;

import io.github.flinkiteration.api.IterationConfig;
import io.github.flinkiteration.api.IterationContext;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.IterationInputs;
import io.github.flinkiteration.api.OperatorLifecycle;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.TerminationCondition;
import io.github.flinkiteration.api.spi.IterationSpec;
import io.github.flinkiteration.runtime.coordinator.IterationControlSource;
import io.github.flinkiteration.runtime.draft.BodyTranslator;
import io.github.flinkiteration.runtime.draft.DraftEnvironment;
import io.github.flinkiteration.runtime.draft.PlaceholderTransformation;
import io.github.flinkiteration.runtime.feedback.HeadOperator;
import io.github.flinkiteration.runtime.feedback.RegionLinkOperator;
import io.github.flinkiteration.runtime.feedback.RoundDeciderOperator;
import io.github.flinkiteration.runtime.feedback.TailChaining;
import io.github.flinkiteration.runtime.feedback.TailOperator;
import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import io.github.flinkiteration.runtime.protocol.RoundSummary;
import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.record.IterationRecordTypeInfo;
import io.github.flinkiteration.runtime.replay.ReplayOperator;
import io.github.flinkiteration.runtime.termination.TerminationCheckOperatorFactory;
import io.github.flinkiteration.runtime.wrapper.InputWrapOperator;
import io.github.flinkiteration.runtime.wrapper.OutputUnwrapOperator;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.core.memory.ManagedMemoryUseCase;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.streaming.api.transformations.LegacySourceTransformation;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.api.transformations.PartitionTransformation;
import org.apache.flink.streaming.api.transformations.SourceTransformation;
import org.apache.flink.streaming.api.transformations.TwoInputTransformation;
import org.apache.flink.streaming.api.transformations.UnionTransformation;
import org.apache.flink.streaming.runtime.partitioner.BroadcastPartitioner;
import org.apache.flink.streaming.runtime.partitioner.GlobalPartitioner;

/**
 * Builds one iteration into the job graph: runs the body against placeholders in a draft
 * environment, checks what it declared, and wires the real graph: control source and head per
 * variable, the translated body, a tail per feedback, a check per termination stream, and an
 * unwrapping operator per output. See {@code docs/architecture.md}.
 */
final class IterationBuilder {

    private static final String DEFAULT_SLOT_SHARING_GROUP = "default";

    /** A constant's claim on its slot's operator managed memory, relative to other claims. */
    private static final int REPLAY_MEMORY_WEIGHT = 100;

    /** Unaligned checkpoints would store channel contents apart from the loop's own cut. */
    static final String UNALIGNED_UNSUPPORTED =
            "Unaligned checkpoints are enabled, but iterations support aligned checkpoints only."
                    + " Disable them with"
                    + " env.getCheckpointConfig().enableUnalignedCheckpoints(false).";

    private static final TypeInformation<RoundSummary> ROUND_SUMMARY =
            TypeInformation.of(RoundSummary.class);

    private final IterationSpec spec;
    private final String iterationId = UUID.randomUUID().toString();
    private final Map<String, PlaceholderTransformation<?>> placeholders = new LinkedHashMap<>();

    IterationBuilder(IterationSpec spec) {
        this.spec = spec;
    }

    private static final String PER_ROUND_UNBOUNDED =
            "Per-round operators (forEachRound, OperatorLifecycle.PER_ROUND) need a bounded"
                    + " iteration: the rounds of an unbounded iteration do not end while its inputs"
                    + " are open, so a per-round operator would never be closed. Use all-round"
                    + " operators and IterationListener#onRoundEnd instead.";

    ResultStreams build() {
        if (spec.getConfig().getDefaultLifecycle() == OperatorLifecycle.PER_ROUND
                && !spec.isBounded()) {
            throw new IllegalArgumentException(PER_ROUND_UNBOUNDED);
        }
        StreamExecutionEnvironment env = commonEnvironment();
        if (env.getConfiguration().get(ExecutionOptions.RUNTIME_MODE)
                == RuntimeExecutionMode.BATCH) {
            throw new IllegalArgumentException(
                    "Iterations need the STREAMING (or AUTOMATIC) runtime mode; the environment"
                            + " is set to BATCH.");
        }

        // Also checked when the job starts, for settings made after this point.
        if (env.getCheckpointConfig().isCheckpointingEnabled()
                && env.getCheckpointConfig().isUnalignedCheckpointsEnabled()) {
            throw new UnsupportedOperationException(UNALIGNED_UNSUPPORTED);
        }

        DraftEnvironment draft = new DraftEnvironment(env, spec.getConfig().getDefaultLifecycle());
        Map<String, DataStream<?>> bodyInputs = new LinkedHashMap<>();
        spec.getVariables()
                .forEach((name, stream) -> bodyInputs.put(name, placeholder(draft, name, stream)));
        spec.getData()
                .forEach((name, stream) -> bodyInputs.put(name, placeholder(draft, name, stream)));
        spec.getConstants()
                .forEach(
                        (name, stream) -> {
                            checkBounded(name, stream);
                            bodyInputs.put(name, placeholder(draft, name, stream));
                        });
        int firstBodyTransformationId = placeholders.values().iterator().next().getId();

        IterationDeclaration declaration =
                spec.getBody().iterate(new Inputs(bodyInputs), new Context(spec, draft));
        validate(declaration);

        TerminationCondition termination = declaration.getTermination();
        List<TerminationCondition.StreamCheck<?>> checks =
                termination == null ? List.of() : termination.getStreamChecks();
        ProgressPlan plan =
                new ProgressPlan(
                        iterationId,
                        termination == null ? 0 : termination.getMaxRounds().orElse(0),
                        spec.getVariables().size(),
                        checks.size(),
                        spec.isBounded(),
                        spec.getConstants().size());

        BodyTranslator translator =
                new BodyTranslator(env, firstBodyTransformationId, spec.isBounded(), draft);
        Map<String, Transformation<?>> heads = new LinkedHashMap<>();
        spec.getVariables()
                .forEach(
                        (name, initial) -> {
                            Transformation<?> head = addHead(env, plan, name, initial);
                            heads.put(name, head);
                            translator.bind(placeholders.get(name), head);
                        });
        spec.getData()
                .forEach(
                        (name, stream) ->
                                translator.bind(placeholders.get(name), wrapInput(name, stream)));
        spec.getConstants()
                .forEach(
                        (name, stream) ->
                                translator.bind(
                                        placeholders.get(name),
                                        addReplay(env, plan, name, stream)));

        // Operators the body created but did not connect to a declared stream run too.
        for (Transformation<?> created : new ArrayList<>(draft.getTransformations())) {
            env.addOperator(translator.translate(created));
        }
        // A lone head of parallelism 1 decides alone.
        boolean deciders =
                plan.isDecidedInDataPlane()
                        && !(heads.size() == 1
                                && plan.isDecidedByHead(
                                        heads.values().iterator().next().getParallelism()));
        List<String> variables = new ArrayList<>(spec.getVariables().keySet());
        List<Transformation<RoundSummary>> tails = new ArrayList<>();
        declaration
                .getFeedbacks()
                .forEach(
                        (name, stream) ->
                                tails.add(
                                        addTail(
                                                env,
                                                deciders,
                                                name,
                                                variables.indexOf(name),
                                                heads.get(name),
                                                translator.translate(stream.getTransformation()))));
        if (deciders) {
            heads.forEach((name, head) -> addDecider(env, plan, name, head, tails));
        }
        for (TerminationCondition.StreamCheck<?> check : checks) {
            addCheck(env, plan, check, translator.translate(check.getStream().getTransformation()));
        }
        Map<String, DataStream<?>> outputs = new LinkedHashMap<>();
        declaration
                .getOutputs()
                .forEach(
                        (name, stream) ->
                                outputs.put(name, unwrapOutput(env, name, stream, translator)));
        return spec.results(outputs);
    }

    private StreamExecutionEnvironment commonEnvironment() {
        StreamExecutionEnvironment env = null;
        String firstName = null;
        Map<String, DataStream<?>> all = new LinkedHashMap<>(spec.getVariables());
        all.putAll(spec.getData());
        all.putAll(spec.getConstants());
        for (Map.Entry<String, DataStream<?>> bound : all.entrySet()) {
            StreamExecutionEnvironment own = bound.getValue().getExecutionEnvironment();
            if (env == null) {
                env = own;
                firstName = bound.getKey();
            } else if (own != env) {
                throw new IllegalArgumentException(
                        "The streams bound as '"
                                + firstName
                                + "' and '"
                                + bound.getKey()
                                + "' belong to different StreamExecutionEnvironments; bind"
                                + " streams of one environment only.");
            }
        }
        return env;
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

    private void validate(IterationDeclaration declaration) {
        if (declaration == null) {
            throw new IllegalArgumentException(
                    "The iteration body returned null. Return"
                            + " IterationDeclaration.builder()...build() with a feedback stream"
                            + " for every variable.");
        }
        if (!spec.isBounded() && declaration.getTermination() != null) {
            throw new IllegalArgumentException(
                    "The body of an UnboundedIteration declares a termination condition with"
                            + " until(...). An unbounded iteration runs as long as its inputs and"
                            + " ends when they have ended and the loop has drained: remove"
                            + " until(...), or use a BoundedIteration.");
        }
        Set<String> variables = spec.getVariables().keySet();
        for (String name : declaration.getFeedbacks().keySet()) {
            if (!variables.contains(name)) {
                throw new IllegalArgumentException(
                        "The body declares a feedback for '"
                                + name
                                + "', which is not a variable of this iteration. Variables: "
                                + variables
                                + ". Bind it with bindVariable(\""
                                + name
                                + "\", initialStream) or correct the name.");
            }
        }
        for (String name : variables) {
            if (!declaration.getFeedbacks().containsKey(name)) {
                throw new IllegalArgumentException(
                        "Variable '"
                                + name
                                + "' has no feedback stream. Declare one in the body with"
                                + " withFeedback(\""
                                + name
                                + "\", stream).");
            }
        }
    }

    private <T> Transformation<IterationRecord<T>> addHead(
            StreamExecutionEnvironment env, ProgressPlan plan, String name, DataStream<T> initial) {
        TwoInputTransformation<T, Void, IterationRecord<T>> head =
                controlledEntry(
                        env,
                        plan,
                        name,
                        initial,
                        "Iteration head [" + name + "]",
                        HeadOperator.<T>factory(name, plan));
        colocate(name, head.getInput2());
        colocate(name, head);
        return head;
    }

    /**
     * Where a stream enters the loop through an operator that lives until the iteration ends: its
     * first input is {@code stream}, its second a control source that ends at termination.
     */
    private static <T> TwoInputTransformation<T, Void, IterationRecord<T>> controlledEntry(
            StreamExecutionEnvironment env,
            ProgressPlan plan,
            String name,
            DataStream<T> stream,
            String operatorName,
            StreamOperatorFactory<IterationRecord<T>> factory) {
        int parallelism = stream.getParallelism();
        Transformation<Void> control =
                env.fromSource(
                                new IterationControlSource(plan),
                                WatermarkStrategy.noWatermarks(),
                                "Iteration control [" + name + "]",
                                Types.VOID)
                        .getTransformation();
        control.setParallelism(parallelism);
        TwoInputTransformation<T, Void, IterationRecord<T>> entry =
                new TwoInputTransformation<>(
                        stream.getTransformation(),
                        control,
                        operatorName,
                        factory,
                        new IterationRecordTypeInfo<>(stream.getType()),
                        parallelism);
        int maxParallelism = stream.getTransformation().getMaxParallelism();
        if (maxParallelism > 0) {
            entry.setMaxParallelism(maxParallelism);
        }
        return entry;
    }

    /**
     * A constant is replayed every round: it must end, or round 0 never would. The control source
     * of an upstream iteration (a constant may read another iteration's output) ends with that
     * iteration, which ends when its own inputs do; those inputs are among the predecessors checked
     * here.
     */
    private static void checkBounded(String name, DataStream<?> stream) {
        for (Transformation<?> upstream : stream.getTransformation().getTransitivePredecessors()) {
            Boundedness boundedness = null;
            if (upstream instanceof SourceTransformation) {
                SourceTransformation<?, ?, ?> source = (SourceTransformation<?, ?, ?>) upstream;
                if (source.getSource() instanceof IterationControlSource) {
                    continue;
                }
                boundedness = source.getBoundedness();
            } else if (upstream instanceof LegacySourceTransformation) {
                boundedness = ((LegacySourceTransformation<?>) upstream).getBoundedness();
            }
            if (boundedness == Boundedness.CONTINUOUS_UNBOUNDED) {
                throw new IllegalArgumentException(
                        "The stream bound as constant '"
                                + name
                                + "' reads the unbounded source '"
                                + upstream.getName()
                                + "'. A constant is cached and replayed every round, so it must"
                                + " end: bind a bounded stream, or bind this one with bindData (read"
                                + " once) or in an UnboundedIteration.");
            }
        }
    }

    private <T> Transformation<IterationRecord<T>> addReplay(
            StreamExecutionEnvironment env, ProgressPlan plan, String name, DataStream<T> stream) {
        TwoInputTransformation<T, Void, IterationRecord<T>> replay =
                controlledEntry(
                        env,
                        plan,
                        name,
                        stream,
                        "Iteration constant [" + name + "]",
                        ReplayOperator.<T>factory(name, plan));
        // The cache takes the operator share of managed memory, split by weight in the slot.
        replay.declareManagedMemoryUseCaseAtOperatorScope(
                ManagedMemoryUseCase.OPERATOR, REPLAY_MEMORY_WEIGHT);
        return replay;
    }

    private Transformation<RoundSummary> addTail(
            StreamExecutionEnvironment env,
            boolean summarizes,
            String name,
            int variableIndex,
            Transformation<?> head,
            Transformation<? extends IterationRecord<?>> feedback) {
        if (!isDownstreamOf(feedback, head)) {
            feedback = linkToRegionOf(name, head, feedback);
        }
        SimpleOperatorFactory<RoundSummary> factory =
                SimpleOperatorFactory.of(
                        new TailOperator<>(
                                iterationId, name, variableIndex, summarizes, spec.isBounded()));
        // In the head's own chain the tail is co-located by construction. Elsewhere a chained
        // operator loses its co-location group, so the tail must head its own chain.
        boolean sameChain = TailChaining.joinsHeadChain(feedback, head, env.isChainingEnabled());
        factory.setChainingStrategy(sameChain ? ChainingStrategy.ALWAYS : ChainingStrategy.HEAD);
        @SuppressWarnings({"unchecked", "rawtypes"})
        OneInputTransformation<?, RoundSummary> tail =
                new OneInputTransformation(
                        feedback,
                        "Iteration tail [" + name + "]",
                        factory,
                        ROUND_SUMMARY,
                        head.getParallelism());
        if (head.getMaxParallelism() > 0) {
            tail.setMaxParallelism(head.getMaxParallelism());
        }
        colocate(name, tail);
        env.addOperator(tail);
        return tail;
    }

    /**
     * Adds the round decider of a variable: as many subtasks as its head, each co-located with one
     * head subtask, each hearing the round summaries of every tail subtask.
     */
    private void addDecider(
            StreamExecutionEnvironment env,
            ProgressPlan plan,
            String name,
            Transformation<?> head,
            List<Transformation<RoundSummary>> tails) {
        List<Transformation<RoundSummary>> broadcasts = new ArrayList<>();
        for (Transformation<RoundSummary> tail : tails) {
            broadcasts.add(new PartitionTransformation<>(tail, new BroadcastPartitioner<>()));
        }
        Transformation<RoundSummary> summaries =
                broadcasts.size() == 1 ? broadcasts.get(0) : new UnionTransformation<>(broadcasts);
        OneInputTransformation<RoundSummary, Void> decider =
                new OneInputTransformation<>(
                        summaries,
                        "Iteration round decider [" + name + "]",
                        SimpleOperatorFactory.of(new RoundDeciderOperator(plan, name)),
                        Types.VOID,
                        head.getParallelism());
        if (head.getMaxParallelism() > 0) {
            decider.setMaxParallelism(head.getMaxParallelism());
        }
        colocate(name, decider);
        env.addOperator(decider);
    }

    /**
     * Adds a record-less edge from the head to the tail: co-located tasks must share a pipelined
     * region, and feedback computed from other heads only would put the tail in another one.
     */
    private static Transformation<? extends IterationRecord<?>> linkToRegionOf(
            String name,
            Transformation<?> head,
            Transformation<? extends IterationRecord<?>> feedback) {
        SimpleOperatorFactory<Object> factory =
                SimpleOperatorFactory.of(new RegionLinkOperator<>());
        // Chained to the head: the link costs one idle channel, not a task.
        factory.setChainingStrategy(ChainingStrategy.ALWAYS);
        @SuppressWarnings({"unchecked", "rawtypes"})
        OneInputTransformation<?, ?> link =
                new OneInputTransformation(
                        head,
                        "Iteration region link [" + name + "]",
                        factory,
                        feedback.getOutputType(),
                        head.getParallelism());
        link.setSlotSharingGroup(DEFAULT_SLOT_SHARING_GROUP);
        if (head.getMaxParallelism() > 0) {
            link.setMaxParallelism(head.getMaxParallelism());
        }
        @SuppressWarnings({"unchecked", "rawtypes"})
        Transformation<? extends IterationRecord<?>> union =
                new UnionTransformation(List.of(feedback, link));
        return union;
    }

    private static boolean isDownstreamOf(Transformation<?> stream, Transformation<?> head) {
        Deque<Transformation<?>> open = new ArrayDeque<>(List.of(stream));
        Set<Integer> seen = new HashSet<>();
        while (!open.isEmpty()) {
            Transformation<?> current = open.pop();
            if (current == head) {
                return true;
            }
            if (seen.add(current.getId())) {
                open.addAll(current.getInputs());
            }
        }
        return false;
    }

    /** Head, tail and control source of a variable share a slot, so they share a channel. */
    private void colocate(String variable, Transformation<?> transformation) {
        transformation.setSlotSharingGroup(DEFAULT_SLOT_SHARING_GROUP);
        transformation.setCoLocationGroupKey("flink-iteration/" + iterationId + "/" + variable);
    }

    private <T> Transformation<IterationRecord<T>> wrapInput(String name, DataStream<T> stream) {
        return new OneInputTransformation<>(
                stream.getTransformation(),
                "Iteration input [" + name + "]",
                SimpleOperatorFactory.of(new InputWrapOperator<T>(!spec.isBounded())),
                new IterationRecordTypeInfo<>(stream.getType()),
                stream.getParallelism());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void addCheck(
            StreamExecutionEnvironment env,
            ProgressPlan plan,
            TerminationCondition.StreamCheck<?> check,
            Transformation<?> reference) {
        OneInputTransformation<?, Void> operator;
        if (check.isEmptiness()) {
            operator =
                    new OneInputTransformation(
                            reference,
                            "Termination check: no records in '" + reference.getName() + "'",
                            new TerminationCheckOperatorFactory<>(null, plan),
                            Types.VOID,
                            reference.getParallelism());
        } else {
            // The criterion sees all records of a round: gather them on one subtask.
            Transformation<?> gathered =
                    new PartitionTransformation(reference, new GlobalPartitioner<>());
            operator =
                    new OneInputTransformation(
                            gathered,
                            "Termination check: "
                                    + check.getCriterion()
                                    + " on '"
                                    + reference.getName()
                                    + "'",
                            new TerminationCheckOperatorFactory<>(check.getCriterion(), plan),
                            Types.VOID,
                            1);
        }
        env.addOperator(operator);
    }

    private <T> DataStream<T> unwrapOutput(
            StreamExecutionEnvironment env,
            String name,
            DataStream<T> stream,
            BodyTranslator translator) {
        Transformation<IterationRecord<T>> inner = translator.translate(stream.getTransformation());
        OneInputTransformation<IterationRecord<T>, T> output =
                new OneInputTransformation<>(
                        inner,
                        "Iteration output [" + name + "]",
                        SimpleOperatorFactory.of(new OutputUnwrapOperator<T>(!spec.isBounded())),
                        stream.getType(),
                        inner.getParallelism());
        return new DataStream<>(env, output);
    }

    private static final class Inputs implements IterationInputs {
        private final Map<String, DataStream<?>> streams;

        Inputs(Map<String, DataStream<?>> streams) {
            this.streams = streams;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> DataStream<T> get(String name) {
            DataStream<?> stream = streams.get(name);
            if (stream == null) {
                throw new IllegalArgumentException(
                        "The iteration has no input named '"
                                + name
                                + "'. Bound inputs: "
                                + streams.keySet()
                                + ".");
            }
            return (DataStream<T>) stream;
        }

        @Override
        public Set<String> names() {
            return streams.keySet();
        }
    }

    private static final class Context implements IterationContext {
        private final IterationSpec spec;
        private final DraftEnvironment draft;

        Context(IterationSpec spec, DraftEnvironment draft) {
            this.spec = spec;
            this.draft = draft;
        }

        @Override
        public ResultStreams forEachRound(Supplier<Map<String, DataStream<?>>> part) {
            if (!spec.isBounded()) {
                throw new IllegalStateException(PER_ROUND_UNBOUNDED);
            }
            Map<String, DataStream<?>> streams =
                    draft.withLifecycle(OperatorLifecycle.PER_ROUND, part);
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
        public IterationConfig getConfig() {
            return spec.getConfig();
        }
    }
}
