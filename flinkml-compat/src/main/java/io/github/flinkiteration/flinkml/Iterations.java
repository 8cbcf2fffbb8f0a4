package io.github.flinkiteration.flinkml;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationContext;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.IterationInputs;
import io.github.flinkiteration.api.OperatorLifecycle;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.TerminationCondition;
import io.github.flinkiteration.api.UnboundedIteration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.flink.api.common.functions.InvalidTypesException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Builds flink-ml style iterations on Flink Iteration's runtime.
 *
 * <pre>{@code
 * DataStreamList outputs = Iterations.iterateBoundedStreamsUntilTermination(
 *         DataStreamList.of(initialCentroids),
 *         ReplayableDataStreamList.replay(points),
 *         IterationConfig.newBuilder().build(),
 *         (variables, data) -> {
 *             // One record per round, emitted at the round's end (e.g. by a per-round reduce).
 *             DataStream<Centroids> next = ...;
 *             return new IterationBodyResult(
 *                     DataStreamList.of(next),
 *                     DataStreamList.of(next.flatMap(new ForwardInputsOfLastRound<>())),
 *                     next.flatMap(new TerminateOnMaxIter<>(20)));
 *         });
 * DataStream<Centroids> model = outputs.get(0);
 * }</pre>
 *
 * <p>Every record of the initial variables and data streams is in round (epoch) 0; a record fed
 * back in round {@code r} is in round {@code r + 1}. A bounded iteration runs its rounds in
 * lock-step: no operator sees a record of round {@code r + 1} before its round {@code r} ended. As
 * on flink-ml, the feedback of the last round still enters the body, as records of a round that
 * never ends, before {@code onIterationTerminated}.
 */
public final class Iterations {

    private static final String VARIABLE = "variable-";
    private static final String DATA = "data-";
    private static final String OUTPUT = "output-";

    private Iterations() {}

    /**
     * An iteration over inputs that may never end. Records and feedback flow through the body as
     * they come; it ends once all inputs ended and nothing is left in the loop. Takes no criteria
     * stream.
     *
     * @param initVariableStreams the variables' initial values; at least one
     * @param dataStreams other streams the body reads, once
     * @param body builds the feedback, one per variable, and the outputs
     * @return the body's output streams, in its order
     * @throws IllegalArgumentException if the body or the streams do not fit together
     */
    public static DataStreamList iterateUnboundedStreams(
            DataStreamList initVariableStreams, DataStreamList dataStreams, IterationBody body) {
        requireVariables(initVariableStreams);
        UnboundedIteration iteration = new UnboundedIteration();
        for (int i = 0; i < initVariableStreams.size(); i++) {
            iteration.bindVariable(VARIABLE + i, initVariableStreams.get(i));
        }
        for (int i = 0; i < dataStreams.size(); i++) {
            iteration.bindData(DATA + i, dataStreams.get(i));
        }
        int[] outputCount = new int[1];
        iteration.withBody(
                (inputs, context) -> {
                    IterationBodyResult result =
                            runBody(body, inputs, context, initVariableStreams, dataStreams.size());
                    if (result.getTerminationCriteria() != null) {
                        throw new IllegalArgumentException(
                                "An unbounded iteration takes no termination criteria stream; it"
                                        + " ends when its inputs end and the loop drained. Use"
                                        + " iterateBoundedStreamsUntilTermination for a criteria"
                                        + " stream.");
                    }
                    outputCount[0] = result.getOutputStreams().size();
                    return declare(result, initVariableStreams).build();
                });
        return outputsOf(iteration.apply(), outputCount[0]);
    }

    /**
     * An iteration over bounded inputs that runs round after round until a round feeds nothing back
     * or, if the body returns a criteria stream, until a round (round 0 included) in which the
     * criteria stream received no record.
     *
     * @param initVariableStreams the variables' initial values; at least one
     * @param dataStreams other streams the body reads, replayed in every round or read once
     * @param config the default life cycle of the body's operators
     * @param body builds the feedback, one per variable, the outputs and the optional criteria
     * @return the body's output streams, in its order
     * @throws IllegalArgumentException if the body or the streams do not fit together
     */
    public static DataStreamList iterateBoundedStreamsUntilTermination(
            DataStreamList initVariableStreams,
            ReplayableDataStreamList dataStreams,
            IterationConfig config,
            IterationBody body) {
        requireVariables(initVariableStreams);
        Objects.requireNonNull(config, "config");
        BoundedIteration iteration = new BoundedIteration();
        for (int i = 0; i < initVariableStreams.size(); i++) {
            iteration.bindVariable(VARIABLE + i, initVariableStreams.get(i));
        }
        // The body sees the replayed streams first, then the others.
        int index = 0;
        int replayedCount = dataStreams.getReplayedDataStreams().size();
        for (DataStream<?> replayed : dataStreams.getReplayedDataStreams()) {
            iteration.bindConstant(DATA + index++, replayed);
        }
        for (DataStream<?> once : dataStreams.getNonReplayedStreams()) {
            iteration.bindData(DATA + index++, once);
        }
        int dataCount = index;
        iteration.withConfig(
                io.github.flinkiteration.api.IterationConfig.builder()
                        .defaultLifecycle(lifecycleOf(config))
                        // As on flink-ml: the last epoch's feedback reaches the body (as epoch n,
                        // without its epoch watermark) before onIterationTerminated; flink-ml's
                        // SGD reads the final model update that way.
                        .lastFeedbackEntersBody(true)
                        .build());
        int[] outputCount = new int[1];
        iteration.withBody(
                (inputs, context) -> {
                    IterationBodyResult result =
                            runBody(body, inputs, context, initVariableStreams, dataCount);
                    outputCount[0] = result.getOutputStreams().size();
                    IterationDeclaration.Builder declaration = declare(result, initVariableStreams);
                    if (result.getTerminationCriteria() != null) {
                        requireCriteriaFromTheLoop(
                                result.getTerminationCriteria(),
                                loopInputs(inputs, initVariableStreams.size(), replayedCount));
                        declaration.until(
                                untilRoundWithoutRecords(result.getTerminationCriteria()));
                    }
                    return declaration.build();
                });
        return outputsOf(iteration.apply(), outputCount[0]);
    }

    private static void requireVariables(DataStreamList initVariableStreams) {
        Objects.requireNonNull(initVariableStreams, "initVariableStreams");
        if (initVariableStreams.size() == 0) {
            throw new IllegalArgumentException(
                    "An iteration needs at least one variable stream: pass the initial values of"
                            + " what the body feeds back, e.g. DataStreamList.of(initialModel).");
        }
    }

    private static IterationBodyResult runBody(
            IterationBody body,
            IterationInputs inputs,
            IterationContext context,
            DataStreamList initVariableStreams,
            int dataCount) {
        List<DataStream<?>> variables = new ArrayList<>();
        for (int i = 0; i < initVariableStreams.size(); i++) {
            variables.add(inputs.get(VARIABLE + i));
        }
        List<DataStream<?>> data = new ArrayList<>();
        for (int i = 0; i < dataCount; i++) {
            data.add(inputs.get(DATA + i));
        }
        IterationBodyResult result =
                BodyBuildScope.within(
                        context,
                        () ->
                                body.process(
                                        new DataStreamList(variables), new DataStreamList(data)));
        if (result == null) {
            throw new IllegalArgumentException("The iteration body returned null.");
        }
        return result;
    }

    private static IterationDeclaration.Builder declare(
            IterationBodyResult result, DataStreamList initVariableStreams) {
        DataStreamList feedback = result.getFeedbackVariableStreams();
        if (feedback.size() != initVariableStreams.size()) {
            throw new IllegalArgumentException(
                    "The body returned "
                            + feedback.size()
                            + " feedback stream(s) for "
                            + initVariableStreams.size()
                            + " variable stream(s); return exactly one feedback stream per"
                            + " variable, in the variables' order.");
        }
        IterationDeclaration.Builder declaration = IterationDeclaration.builder();
        for (int i = 0; i < feedback.size(); i++) {
            requireSameType(i, initVariableStreams.get(i), feedback.get(i));
            declaration.withFeedback(VARIABLE + i, feedback.get(i));
        }
        DataStreamList outputs = result.getOutputStreams();
        for (int i = 0; i < outputs.size(); i++) {
            declaration.withOutput(OUTPUT + i, outputs.get(i));
        }
        return declaration;
    }

    private static void requireSameType(int index, DataStream<?> variable, DataStream<?> feedback) {
        TypeInformation<?> variableType;
        TypeInformation<?> feedbackType;
        try {
            variableType = variable.getType();
            feedbackType = feedback.getType();
        } catch (InvalidTypesException e) {
            // A type Flink could not extract fails on its own with Flink's message.
            return;
        }
        if (!variableType.equals(feedbackType)) {
            throw new IllegalArgumentException(
                    "Feedback stream "
                            + index
                            + " has type "
                            + feedbackType
                            + " but variable stream "
                            + index
                            + " has type "
                            + variableType
                            + "; a variable's feedback must have the variable's type.");
        }
    }

    /** The body-side streams that carry every round: the variables and the replayed data. */
    private static Set<Transformation<?>> loopInputs(
            IterationInputs inputs, int variableCount, int replayedCount) {
        Set<Transformation<?>> loop = new HashSet<>();
        for (int i = 0; i < variableCount; i++) {
            loop.add(inputs.get(VARIABLE + i).getTransformation());
        }
        for (int i = 0; i < replayedCount; i++) {
            loop.add(inputs.get(DATA + i).getTransformation());
        }
        return loop;
    }

    // Checked here, on the user's stream, so the message names it rather than our counter.
    private static void requireCriteriaFromTheLoop(
            DataStream<?> criteria, Set<Transformation<?>> loopInputs) {
        Transformation<?> criteriaTransformation = criteria.getTransformation();
        boolean fromTheLoop =
                loopInputs.contains(criteriaTransformation)
                        || criteriaTransformation.getTransitivePredecessors().stream()
                                .anyMatch(loopInputs::contains);
        if (!fromTheLoop) {
            throw new IllegalArgumentException(
                    "The termination criteria stream '"
                            + criteriaTransformation.getName()
                            + "' is not built from the body's variable streams or replayed data"
                            + " streams, so it cannot tell one round from the next. Build it inside"
                            + " the body from a variable, e.g."
                            + " variables.get(0).flatMap(new TerminateOnMaxIter<>(maxIter)).");
        }
    }

    private static <T> TerminationCondition untilRoundWithoutRecords(DataStream<T> criteria) {
        // whenEmpty skips round 0, but flink-ml also ends after a round 0 without criteria
        // records (TerminateOnMaxIter(1) runs one round), so the check is a convergence criterion
        // on per-subtask counts, which also holds in round 0.
        SingleOutputStreamOperator<Long> counts =
                criteria.process(new CriteriaRecordCounter<T>())
                        .returns(Types.LONG)
                        .name("Criteria record count");
        if (criteria.getParallelism() > 0) {
            counts.setParallelism(criteria.getParallelism());
        }
        return TerminationCondition.whenConverged(counts, new NoCriteriaRecordsInRound());
    }

    private static OperatorLifecycle lifecycleOf(IterationConfig config) {
        return config.getOperatorLifeCycle() == IterationConfig.OperatorLifeCycle.PER_ROUND
                ? OperatorLifecycle.PER_ROUND
                : OperatorLifecycle.ALL_ROUND;
    }

    private static DataStreamList outputsOf(ResultStreams results, int count) {
        List<DataStream<?>> outputs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            outputs.add(results.get(OUTPUT + i));
        }
        return new DataStreamList(outputs);
    }
}
