package io.github.flinkiteration.runtime.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.streaming.api.graph.NonChainedOutput;
import org.apache.flink.streaming.api.graph.StreamConfig;
import org.apache.flink.streaming.runtime.io.RecordWriterOutput;

/**
 * Flushes the network outputs of an operator so that a round watermark, and the records before it,
 * leave now rather than at Flink's next buffer timeout. Outputs chained to another operator in the
 * same task need no flush: that operator's own wrapper flushes.
 */
public final class OutputFlusher {

    private final List<RecordWriterOutput<?>> networkOutputs;

    private OutputFlusher(List<RecordWriterOutput<?>> networkOutputs) {
        this.networkOutputs = networkOutputs;
    }

    /**
     * A flusher for the raw output an operator factory received. If Flink's internals hide the
     * network outputs, it flushes nothing and Flink's buffer timeout sends round watermarks on;
     * unless that timeout is disabled, which fails here, as the operator opens, rather than hang.
     *
     * @param config the operator's configuration, for its name and its network outputs
     */
    public static OutputFlusher of(Object output, StreamConfig config, ClassLoader classLoader) {
        List<Object> behind = FlinkInternals.outputsBehind(output);
        if (behind == null) {
            List<Long> timeouts = new ArrayList<>();
            for (NonChainedOutput network : config.getOperatorNonChainedOutputs(classLoader)) {
                timeouts.add(network.getBufferTimeout());
            }
            requireTimedFlushes(config.getOperatorName(), timeouts);
            return new OutputFlusher(List.of());
        }
        List<RecordWriterOutput<?>> found = new ArrayList<>();
        for (Object candidate : behind) {
            if (candidate instanceof RecordWriterOutput) {
                found.add((RecordWriterOutput<?>) candidate);
            }
        }
        return new OutputFlusher(found);
    }

    /**
     * Without eager flushes, what an operator sends waits for its network outputs' buffer timeout;
     * with the timeout disabled, a round watermark would wait for a full buffer, maybe forever.
     */
    static void requireTimedFlushes(String operator, List<Long> bufferTimeouts) {
        if (bufferTimeouts.contains(ExecutionOptions.DISABLED_NETWORK_BUFFER_TIMEOUT)) {
            throw new IllegalStateException(
                    "The iteration operator '"
                            + operator
                            + "' cannot flush its network outputs when a round ends (Flink"
                            + " Iteration could not reach them through Flink's internals; see the"
                            + " warning logged before), and their buffer timeout is disabled (-1),"
                            + " so round watermarks would leave only when a buffer fills and the"
                            + " iteration would hang. Set a buffer timeout, for example"
                            + " env.setBufferTimeout(100), or run on Flink 2.3.0.");
        }
    }

    /** Whether there is anything to flush: some output of the operator goes over the network. */
    public boolean hasNetworkOutputs() {
        return !networkOutputs.isEmpty();
    }

    public void flush() {
        for (RecordWriterOutput<?> out : networkOutputs) {
            try {
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("Could not flush a round watermark", e);
            }
        }
    }
}
