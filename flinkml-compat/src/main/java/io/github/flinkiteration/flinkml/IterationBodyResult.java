package io.github.flinkiteration.flinkml;

import java.util.Objects;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * What an {@link IterationBody} returns: one feedback stream per variable, in the variables' order,
 * the output streams, and optionally a termination-criteria stream.
 *
 * <p>A bounded iteration with a criteria stream ends after the first round (round 0 included) in
 * which the criteria stream received no record.
 *
 * <pre>{@code
 * return new IterationBodyResult(
 *         DataStreamList.of(newModel),
 *         DataStreamList.of(finalModel),
 *         newModel.flatMap(new TerminateOnMaxIter<>(10)));
 * }</pre>
 */
public class IterationBodyResult {

    private final DataStreamList feedbackVariableStreams;
    private final DataStreamList outputStreams;
    private final DataStream<?> terminationCriteria;

    /** A result without a criteria stream. */
    public IterationBodyResult(
            DataStreamList feedbackVariableStreams, DataStreamList outputStreams) {
        this(feedbackVariableStreams, outputStreams, null);
    }

    /**
     * A result whose iteration also ends after a round in which {@code terminationCriteria}, if not
     * {@code null}, received no record.
     */
    public IterationBodyResult(
            DataStreamList feedbackVariableStreams,
            DataStreamList outputStreams,
            DataStream<?> terminationCriteria) {
        this.feedbackVariableStreams =
                Objects.requireNonNull(feedbackVariableStreams, "feedbackVariableStreams");
        this.outputStreams = Objects.requireNonNull(outputStreams, "outputStreams");
        this.terminationCriteria = terminationCriteria;
    }

    /** The feedback streams, one per variable, in the variables' order. */
    public DataStreamList getFeedbackVariableStreams() {
        return feedbackVariableStreams;
    }

    /** The streams the iteration emits. */
    public DataStreamList getOutputStreams() {
        return outputStreams;
    }

    /** The criteria stream, or {@code null}. */
    public DataStream<?> getTerminationCriteria() {
        return terminationCriteria;
    }
}
