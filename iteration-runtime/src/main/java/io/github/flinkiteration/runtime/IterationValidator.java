package io.github.flinkiteration.runtime;

import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.OperatorLifecycle;
import io.github.flinkiteration.api.TerminationCondition;
import io.github.flinkiteration.api.spi.IterationSpec;
import io.github.flinkiteration.runtime.coordinator.IterationControlSource;
import io.github.flinkiteration.runtime.draft.LoopEdges;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.LegacySourceTransformation;
import org.apache.flink.streaming.api.transformations.SourceTransformation;

/**
 * The checks that refuse an iteration before any of it is wired: of the bindings and their
 * environment before the body runs, and of the body's declaration after. Each message says what to
 * change. What the body builds is checked as it is translated, by the translator.
 */
final class IterationValidator {

    /** Unaligned checkpoints would store channel contents apart from the loop's own cut. */
    static final String UNALIGNED_UNSUPPORTED =
            "Unaligned checkpoints are enabled, but iterations support aligned checkpoints only."
                    + " Disable them with"
                    + " env.getCheckpointConfig().enableUnalignedCheckpoints(false).";

    /** At-least-once checkpoints do not align barriers: the loop's cut would repeat feedback. */
    static final String AT_LEAST_ONCE_UNSUPPORTED =
            "Checkpoints are at-least-once, but iterations need exactly-once checkpoints: their"
                    + " barriers are not aligned, so the feedback going round the loop would be cut"
                    + " inconsistently and repeated after a restore. Use"
                    + " env.getCheckpointConfig().setCheckpointingConsistencyMode("
                    + "CheckpointingMode.EXACTLY_ONCE).";

    static final String PER_ROUND_UNBOUNDED =
            "Per-round operators (forEachRound, OperatorLifecycle.PER_ROUND) need a bounded"
                    + " iteration: the rounds of an unbounded iteration do not end while its inputs"
                    + " are open, so a per-round operator would never be closed. Use all-round"
                    + " operators and IterationListener#onRoundEnd instead.";

    /** A BATCH job runs each region to its end; an unbounded loop has none. */
    static final String UNBOUNDED_IN_BATCH =
            "An UnboundedIteration cannot run in a job whose runtime mode is BATCH: it runs as long"
                    + " as its inputs and is meant for unbounded ones, which BATCH mode refuses. Set"
                    + " the runtime mode to STREAMING (env.setRuntimeMode(RuntimeExecutionMode."
                    + "STREAMING)), or use a BoundedIteration for bounded inputs.";

    private final IterationSpec spec;

    IterationValidator(IterationSpec spec) {
        this.spec = spec;
    }

    /** Checks the bindings, and returns the environment that all bound streams belong to. */
    StreamExecutionEnvironment checkBindings() {
        if (spec.getConfig().getDefaultLifecycle() == OperatorLifecycle.PER_ROUND
                && !spec.isBounded()) {
            throw new IllegalArgumentException(PER_ROUND_UNBOUNDED);
        }
        StreamExecutionEnvironment env = commonEnvironment();
        if (!spec.isBounded() && LoopEdges.isBatch(env.getConfiguration())) {
            throw new IllegalArgumentException(UNBOUNDED_IN_BATCH);
        }

        // Also checked when the job starts, for settings made after this point.
        if (env.getCheckpointConfig().isCheckpointingEnabled()
                && env.getCheckpointConfig().isUnalignedCheckpointsEnabled()) {
            throw new UnsupportedOperationException(UNALIGNED_UNSUPPORTED);
        }
        if (env.getCheckpointConfig().isCheckpointingEnabled()
                && env.getCheckpointConfig().getCheckpointingConsistencyMode()
                        == CheckpointingMode.AT_LEAST_ONCE) {
            throw new UnsupportedOperationException(AT_LEAST_ONCE_UNSUPPORTED);
        }
        if (spec.isBounded()) {
            spec.getVariables().forEach((name, stream) -> checkBounded("variable", name, stream));
            spec.getData().forEach((name, stream) -> checkBounded("data input", name, stream));
        }
        spec.getConstants().forEach(IterationValidator::checkConstantBounded);
        return env;
    }

    /** Checks what the body returned against the bindings. */
    void checkDeclaration(IterationDeclaration declaration) {
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
        checkAggregators(declaration);
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
            checkFeedbackType(
                    name, spec.getVariables().get(name), declaration.getFeedbacks().get(name));
        }
        declaration.getFinalValues().forEach(this::checkFinalValue);
    }

    /** A final value is what the last round fed back: it needs a variable and a last round. */
    private void checkFinalValue(String output, String variable) {
        Set<String> variables = spec.getVariables().keySet();
        if (!variables.contains(variable)) {
            throw new IllegalArgumentException(
                    "Output '"
                            + output
                            + "' is the final value of '"
                            + variable
                            + "', which is not a variable of this iteration. Variables: "
                            + variables
                            + ". Correct the name in withFinalValue(\""
                            + output
                            + "\", variable).");
        }
        if (!spec.isBounded()) {
            throw new IllegalArgumentException(
                    "Output '"
                            + output
                            + "' is the final value of variable '"
                            + variable
                            + "', but an UnboundedIteration has no last round. Emit the stream"
                            + " you need with withOutput(\""
                            + output
                            + "\", stream) instead.");
        }
        if (spec.getConfig().isLastFeedbackEnteringBody()) {
            throw new IllegalArgumentException(
                    "Output '"
                            + output
                            + "' is the final value of variable '"
                            + variable
                            + "', but IterationConfig.lastFeedbackEntersBody(true) sends the last"
                            + " round's feedback into the body instead. Use one of them: drop the"
                            + " option, or emit what the body does with that feedback through"
                            + " withOutput.");
        }
    }

    /**
     * Aggregators combine a round's partials once the round has ended everywhere, which only
     * lock-step rounds give; a convergence check must name a declared aggregator.
     */
    private void checkAggregators(IterationDeclaration declaration) {
        Set<String> aggregators = declaration.getAggregators().keySet();
        if (!spec.isBounded() && !aggregators.isEmpty()) {
            throw new IllegalArgumentException(
                    "The body of an UnboundedIteration declares the aggregators "
                            + aggregators
                            + ". Aggregators combine what every subtask added in a round once"
                            + " that round has ended everywhere, which an unbounded iteration"
                            + " does not wait for: remove withAggregator(...), or use a"
                            + " BoundedIteration.");
        }
        if (declaration.getTermination() == null) {
            return;
        }
        for (TerminationCondition.AggregateCheck<?> check :
                declaration.getTermination().getAggregateChecks()) {
            if (!aggregators.contains(check.getAggregator())) {
                throw new IllegalArgumentException(
                        "The termination condition whenAggregateConverged(\""
                                + check.getAggregator()
                                + "\", ...) names an aggregator the body does not declare."
                                + " Declared aggregators: "
                                + aggregators
                                + ". Declare it with withAggregator(\""
                                + check.getAggregator()
                                + "\", ...) or correct the name.");
            }
        }
    }

    /**
     * The tail writes feedback with the feedback stream's serializer and the head reads it with the
     * variable's: unless both are of one type, the head would reinterpret the bytes.
     */
    private static void checkFeedbackType(
            String name, DataStream<?> initial, DataStream<?> feedback) {
        TypeInformation<?> variableType = initial.getType();
        TypeInformation<?> feedbackType = feedback.getType();
        if (!variableType.equals(feedbackType)) {
            throw new IllegalArgumentException(
                    "Variable '"
                            + name
                            + "' is of type "
                            + variableType
                            + " (the type of its initial stream), but its feedback stream '"
                            + feedback.getTransformation().getName()
                            + "' is of type "
                            + feedbackType
                            + ". The loop reads the feedback as the variable's type: feed back a"
                            + " stream of "
                            + variableType
                            + " (map it, or set its type with returns(...)), or bind an initial"
                            + " stream of "
                            + feedbackType
                            + ".");
        }
    }

    /**
     * A termination check must hear the loop's rounds. A stream derived from data inputs alone sees
     * round 0 and then the end of its inputs: {@code whenEmpty} would stop after round 1 and {@code
     * whenConverged} never fire.
     *
     * @param loopInputs the placeholders of the variables and constants, which carry every round
     */
    void checkTerminationStreams(
            IterationDeclaration declaration, Set<? extends Transformation<?>> loopInputs) {
        if (declaration.getTermination() == null) {
            return;
        }
        for (TerminationCondition.StreamCheck<?> check :
                declaration.getTermination().getStreamChecks()) {
            Transformation<?> reference = check.getStream().getTransformation();
            boolean fromTheLoop =
                    reference.getTransitivePredecessors().stream().anyMatch(loopInputs::contains);
            if (!fromTheLoop) {
                throw new IllegalArgumentException(
                        "The termination check "
                                + (check.isEmptiness() ? "whenEmpty" : "whenConverged")
                                + " reads '"
                                + reference.getName()
                                + "' (transformation "
                                + reference.getId()
                                + "), which is derived from data inputs only, not from the loop:"
                                + " it sees round 0 and then the end of its inputs, so whenEmpty"
                                + " would stop after round 1 and whenConverged would never fire."
                                + " Derive the reference stream from a variable (or a constant)"
                                + " of the iteration, e.g. join or connect the data with it.");
            }
        }
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

    /** A constant is replayed every round: it must end, or round 0 never would. */
    private static void checkConstantBounded(String name, DataStream<?> stream) {
        Transformation<?> source = unboundedSourceOf(stream);
        if (source != null) {
            throw new IllegalArgumentException(
                    "The stream bound as constant '"
                            + name
                            + "' reads the unbounded source '"
                            + source.getName()
                            + "'. A constant is cached and replayed every round, so it must"
                            + " end: bind a bounded stream, or bind this one with bindData (read"
                            + " once) or in an UnboundedIteration.");
        }
    }

    /** In a bounded iteration, round 0 ends when every bound stream has ended. */
    private static void checkBounded(String kind, String name, DataStream<?> stream) {
        Transformation<?> source = unboundedSourceOf(stream);
        if (source != null) {
            throw new IllegalArgumentException(
                    "The stream bound as "
                            + kind
                            + " '"
                            + name
                            + "' reads the unbounded source '"
                            + source.getName()
                            + "'. Round 0 of a BoundedIteration ends only when all its bound"
                            + " streams have ended, so this iteration would never pass round 0:"
                            + " bind a bounded stream, or use an UnboundedIteration.");
        }
    }

    /**
     * The first source upstream of {@code stream} that Flink knows to be unbounded, or null. The
     * control source of an upstream iteration (a stream may read another iteration's output) ends
     * with that iteration, which ends when its own inputs do; those are among the predecessors
     * checked. A source whose boundedness Flink cannot tell passes.
     */
    private static Transformation<?> unboundedSourceOf(DataStream<?> stream) {
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
                return upstream;
            }
        }
        return null;
    }
}
