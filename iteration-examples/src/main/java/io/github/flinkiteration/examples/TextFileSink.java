package io.github.flinkiteration.examples;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Writes the strings it receives, in arrival order and unchanged, to one file; an existing file is
 * replaced. It runs with parallelism 1.
 *
 * <p>It is how an example hands its result back when it runs on a Flink cluster: a job submitted
 * through the REST API runs detached, so {@code collect()} cannot bring records to the caller. The
 * path goes through Flink's file systems, so on a cluster it must be one every TaskManager can
 * reach (any local path works on a cluster whose processes share one machine).
 */
public final class TextFileSink implements Sink<String> {

    private static final long serialVersionUID = 1L;

    private final String path;

    public TextFileSink(String path) {
        this.path = path;
    }

    @Override
    public SinkWriter<String> createWriter(WriterInitContext context) throws IOException {
        int parallelism = context.getTaskInfo().getNumberOfParallelSubtasks();
        if (parallelism != 1) {
            // Several writers would replace each other's file.
            throw new IllegalStateException(
                    "TextFileSink writes a single file and needs parallelism 1, not "
                            + parallelism);
        }
        Path file = new Path(path);
        return new Writer(file.getFileSystem().create(file, FileSystem.WriteMode.OVERWRITE));
    }

    /** Appends each string to the open file, which is closed at the end of the input. */
    private static final class Writer implements SinkWriter<String> {

        private final OutputStream out;

        Writer(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(String text, Context context) throws IOException {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
