package io.github.flinkiteration.tf.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;

/**
 * The sessions of one JVM (a TaskManager's slots) run their ops side by side, each in its caller's
 * thread, and do not take turns on a thread TensorFlow shares between them.
 *
 * <p>The proof needs no timing: one session reads a named pipe and the other writes it. Opening a
 * pipe blocks until the other end is opened, so each session's op can only finish while the other
 * runs at the same time. Had the sessions one thread of TF's between them, as they had with one
 * inter-op thread (a pool per process), the first op would hold that thread forever.
 */
class SessionThreadingTest {

    @TempDir Path temp;

    @Test
    void twoSessionsRunTheirOpsAtTheSameTime() throws Exception {
        TensorFlowNative.ensureLoaded();
        Path pipe = temp.resolve("pipe");
        Process mkfifo = new ProcessBuilder("mkfifo", pipe.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).as("mkfifo %s", pipe).isZero();

        // TF reads a file with pread, which a pipe refuses ("Illegal seek"): the reader fails
        // right after its open has returned, which is all this test needs of it.
        CompletableFuture<String> reader =
                inSessionOfItsOwn(tf -> tf.io.readFile(tf.constant(pipe.toString())))
                        .handle((ok, e) -> e == null ? "read" : e.getMessage());
        // The write fails with "Broken pipe" when the reader has already failed and closed its
        // end: that too can only happen after both opens returned.
        CompletableFuture<String> writer =
                inSessionOfItsOwn(
                                tf ->
                                        tf.io.writeFile(
                                                tf.constant(pipe.toString()), tf.constant("x")))
                        .handle((ok, e) -> e == null ? "written" : e.getMessage());
        boolean bothFinished;
        try {
            CompletableFuture.allOf(reader, writer).get(30, TimeUnit.SECONDS);
            bothFinished = true;
        } catch (TimeoutException e) {
            bothFinished = false;
            // Open both ends at once, so that the op stuck in TF's shared thread finishes and the
            // test's threads end.
            try (RandomAccessFile unblock = new RandomAccessFile(pipe.toFile(), "rw")) {
                reader.get(30, TimeUnit.SECONDS);
                writer.get(30, TimeUnit.SECONDS);
            }
        }
        assertThat(bothFinished)
                .as("a session reading a pipe and one writing it got past their opens side by side")
                .isTrue();
        assertThat(reader.get()).matches(m -> m.equals("read") || m.contains("Illegal seek"));
        assertThat(writer.get()).matches(m -> m.equals("written") || m.contains("Broken pipe"));
    }

    /** Builds a graph with {@code build} and runs its op once, in a new thread and session. */
    private static CompletableFuture<Void> inSessionOfItsOwn(Function<Ops, Op> build) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread thread =
                new Thread(
                        () -> {
                            try (Graph graph = new Graph();
                                    Session session =
                                            new Session(graph, ModelSession.sessionConfig())) {
                                Op op = build.apply(Ops.create(graph));
                                session.runner().addTarget(op).run().close();
                                done.complete(null);
                            } catch (Throwable e) {
                                done.completeExceptionally(e);
                            }
                        },
                        "session-threading-test");
        thread.setDaemon(true);
        thread.start();
        return done;
    }
}
