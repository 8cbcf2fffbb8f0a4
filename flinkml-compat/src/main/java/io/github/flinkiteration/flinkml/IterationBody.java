package io.github.flinkiteration.flinkml;

import io.github.flinkiteration.api.ResultStreams;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The loop body: builds, from the variable streams and the data streams, the feedback, the outputs
 * and the optional termination criteria. It runs once, on the client, while the job graph is built.
 *
 * <pre>{@code
 * IterationBody body = (variables, data) -> {
 *     DataStream<Integer> next = variables.<Integer>get(0).map(x -> x + 1);
 *     return new IterationBodyResult(DataStreamList.of(next), DataStreamList.of(next));
 * };
 * }</pre>
 */
@FunctionalInterface
public interface IterationBody {

    /**
     * Builds the body.
     *
     * @param variableStreams the variables, in the order they were passed to {@link Iterations}
     * @param dataStreams the data streams: in a bounded iteration the replayed ones first
     */
    IterationBodyResult process(DataStreamList variableStreams, DataStreamList dataStreams);

    /**
     * Builds part of a bounded iteration's body with per-round operators: every operator {@code
     * perRoundSubBody} creates is instantiated afresh in each round and sees only that round's
     * records. Call it only while a body is being built.
     *
     * <pre>{@code
     * DataStreamList sums = IterationBody.forEachRound(
     *         DataStreamList.of(points),
     *         in -> DataStreamList.of(in.<Point>get(0).keyBy(p -> p.cluster).reduce(Point::add)));
     * }</pre>
     *
     * @throws IllegalStateException outside a body, or in an unbounded iteration
     */
    static DataStreamList forEachRound(DataStreamList inputs, PerRoundSubBody perRoundSubBody) {
        List<DataStream<?>> built = new ArrayList<>();
        // Our API hands per-round streams back by name; the name is the index in the list.
        ResultStreams perRound =
                BodyBuildScope.current()
                        .forEachRound(
                                () -> {
                                    DataStreamList outputs = perRoundSubBody.process(inputs);
                                    Map<String, DataStream<?>> named = new LinkedHashMap<>();
                                    for (int i = 0; i < outputs.size(); i++) {
                                        named.put(Integer.toString(i), outputs.get(i));
                                    }
                                    return named;
                                });
        for (int i = 0; i < perRound.names().size(); i++) {
            built.add(perRound.get(Integer.toString(i)));
        }
        return new DataStreamList(built);
    }

    /** The part of a body built with per-round operators, see {@link #forEachRound}. */
    @FunctionalInterface
    interface PerRoundSubBody {
        /** Builds the per-round operators from {@code input}; returns the streams they emit. */
        DataStreamList process(DataStreamList input);
    }
}
