package io.github.flinkiteration.runtime.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
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

    /** A flusher for the raw output an operator factory received. */
    public static OutputFlusher of(Object output) {
        List<RecordWriterOutput<?>> found = new ArrayList<>();
        for (Object candidate : FlinkInternals.outputsBehind(output)) {
            if (candidate instanceof RecordWriterOutput) {
                found.add((RecordWriterOutput<?>) candidate);
            }
        }
        return new OutputFlusher(found);
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
