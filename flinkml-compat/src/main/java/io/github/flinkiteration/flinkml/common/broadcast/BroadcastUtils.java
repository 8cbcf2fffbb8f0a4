package io.github.flinkiteration.flinkml.common.broadcast;

import io.github.flinkiteration.runtime.draft.DraftEnvironment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.MultipleConnectedStreams;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.streaming.api.transformations.MultipleInputTransformation;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.api.transformations.TwoInputTransformation;

/** Broadcast variables for DataStream operators, with flink-ml's name and contract. */
public final class BroadcastUtils {

    private BroadcastUtils() {}

    /**
     * Builds, with {@code userDefinedFunction}, an operator on {@code inputList} whose user
     * function can read each of {@code bcStreams} whole, by name, as flink-ml's functions do:
     * {@code getRuntimeContext().getBroadcastVariable(name)} (also {@code hasBroadcastVariable} and
     * {@code getBroadcastVariableWithInitializer}). Every subtask of the operator gets every record
     * of every broadcast stream; the operator's own inputs are held back until all broadcast
     * streams ended, so the variables are complete when the first record is processed (read them
     * there, not in {@code open}).
     *
     * <pre>{@code
     * DataStream<Integer> labels = BroadcastUtils.withBroadcastStream(
     *         List.of(points),
     *         Map.of("centroids", centroids),
     *         in -> in.get(0).map(new RichMapFunction<Point, Integer>() {
     *             public Integer map(Point p) {
     *                 List<Point> c = getRuntimeContext().getBroadcastVariable("centroids");
     *                 return nearest(c, p);
     *             }
     *         }));
     * }</pre>
     *
     * <p>The function may build several operators; only the one producing the returned stream reads
     * the variables. That operator has one or two inputs, is not keyed, and its broadcast streams
     * must be bounded. It is meant for the DataStream program around iterations (flink-ml's models
     * use it there); inside an iteration body it is rejected, as the broadcast streams do not end
     * round by round.
     *
     * @param inputList the operator's own inputs, passed to {@code userDefinedFunction}
     * @param bcStreams the broadcast streams by the name the function reads them with
     * @param userDefinedFunction builds the operator from the inputs
     * @return the operator's output
     * @throws IllegalArgumentException if there is no input, if it is called inside an iteration
     *     body, or if the returned stream does not come from a one- or two-input operator that is
     *     not keyed
     */
    public static <OUT> DataStream<OUT> withBroadcastStream(
            List<DataStream<?>> inputList,
            Map<String, DataStream<?>> bcStreams,
            Function<List<DataStream<?>>, DataStream<OUT>> userDefinedFunction) {
        Objects.requireNonNull(inputList, "inputList");
        Objects.requireNonNull(bcStreams, "bcStreams");
        if (inputList.isEmpty()) {
            throw new IllegalArgumentException(
                    "withBroadcastStream needs at least one input stream for the operator that"
                            + " reads the broadcast variables.");
        }
        StreamExecutionEnvironment env = inputList.get(0).getExecutionEnvironment();
        // Inside a body the streams belong to the runtime's draft environment. There the wrapper
        // would hear the end of its inputs only when the iteration ends, and hold every record
        // until then.
        if (env instanceof DraftEnvironment) {
            throw new IllegalArgumentException(
                    "withBroadcastStream is not supported inside an iteration body: its broadcast"
                            + " streams end only when the iteration ends, so the operator would"
                            + " hold its records until then. Apply it outside the iteration, or"
                            + " inside the body connect the variable's stream with broadcast().");
        }
        DataStream<OUT> result = userDefinedFunction.apply(inputList);
        if (result == null) {
            throw new IllegalArgumentException(
                    "The function passed to withBroadcastStream returned null; return the stream"
                            + " of the operator that reads the broadcast variables.");
        }
        Transformation<OUT> produced = result.getTransformation();
        StreamOperatorFactory<OUT> factory;
        List<Transformation<?>> dataInputs = new ArrayList<>(produced.getInputs());
        if (produced instanceof OneInputTransformation) {
            OneInputTransformation<?, OUT> one = (OneInputTransformation<?, OUT>) produced;
            requireNotKeyed(produced, one.getStateKeySelector() != null);
            factory = one.getOperatorFactory();
        } else if (produced instanceof TwoInputTransformation) {
            TwoInputTransformation<?, ?, OUT> two = (TwoInputTransformation<?, ?, OUT>) produced;
            requireNotKeyed(
                    produced,
                    two.getStateKeySelector1() != null || two.getStateKeySelector2() != null);
            factory = two.getOperatorFactory();
        } else {
            throw new IllegalArgumentException(
                    "withBroadcastStream: the stream the function returns comes from '"
                            + produced.getName()
                            + "' ("
                            + produced.getClass().getSimpleName()
                            + "); it must come from a one- or two-input operator such as map,"
                            + " flatMap, process or connect(...).transform(...).");
        }

        List<String> names = new ArrayList<>(bcStreams.keySet());
        MultipleInputTransformation<OUT> withVariables =
                new MultipleInputTransformation<>(
                        produced.getName(),
                        new BroadcastVariablesOperatorFactory<>(factory, dataInputs.size(), names),
                        produced.getOutputType(),
                        produced.getParallelism());
        dataInputs.forEach(withVariables::addInput);
        for (String name : names) {
            withVariables.addInput(bcStreams.get(name).broadcast().getTransformation());
        }
        if (produced.getMaxParallelism() > 0) {
            withVariables.setMaxParallelism(produced.getMaxParallelism());
        }
        if (produced.getUid() != null) {
            withVariables.setUid(produced.getUid());
        }
        produced.getSlotSharingGroup().ifPresent(withVariables::setSlotSharingGroup);
        // The function's own operator is replaced: left in the job, it would run without them.
        env.getTransformations().remove(produced);
        env.addOperator(withVariables);
        return new MultipleConnectedStreams(env).transform(withVariables);
    }

    private static void requireNotKeyed(Transformation<?> produced, boolean keyed) {
        if (keyed) {
            throw new IllegalArgumentException(
                    "withBroadcastStream: the operator '"
                            + produced.getName()
                            + "' reads a keyed stream; broadcast variables are offered to operators"
                            + " on non-keyed streams only. Apply it before keyBy, or key inside"
                            + " the function after the operator that reads the variables.");
        }
    }
}
