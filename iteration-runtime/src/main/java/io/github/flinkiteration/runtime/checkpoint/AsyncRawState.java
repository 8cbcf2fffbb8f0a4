package io.github.flinkiteration.runtime.checkpoint;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.RunnableFuture;
import org.apache.flink.core.fs.CloseableRegistry;
import org.apache.flink.core.memory.DataOutputViewStreamWrapper;
import org.apache.flink.runtime.state.AsyncSnapshotCallable;
import org.apache.flink.runtime.state.CheckpointStateOutputStream;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.runtime.state.CheckpointedStateScope;
import org.apache.flink.runtime.state.DefaultOperatorStateBackend;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.runtime.state.OperatorStreamStateHandle;
import org.apache.flink.runtime.state.SnapshotResult;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFutures;

/**
 * An operator's raw operator state written in Flink's asynchronous checkpoint phase instead of the
 * task thread. Held rounds and a constant's cache run to gigabytes; copying them in {@code
 * snapshotState} stopped the loop for as long as the copy took.
 *
 * <p>In the synchronous phase the operator {@linkplain #defer defers} a {@link Writer}: a frozen,
 * reference-counted view of what it must write (pages and file ranges that neither emission, nor
 * appends, nor {@code close()} free under it), plus the few counters that go with it. Once Flink
 * has snapshotted the operator, {@link #attach} puts a future in place of the raw operator state
 * that Flink would have closed: run in the asynchronous phase, it opens an exclusive stream of the
 * checkpoint's {@link CheckpointStreamFactory}, writes one partition and hands back the same kind
 * of handle ({@link OperatorStreamStateHandle}, split-distributed, Flink's default name) that
 * {@code getRawOperatorStateOutput()} produces, so restore and rescaling read it unchanged.
 *
 * <p>Whatever way the write ends (done, failed, checkpoint cancelled, operator closed) the writer
 * is closed exactly once, which releases its references. Not thread-safe beyond that: the task
 * thread calls every method here.
 */
public final class AsyncRawState implements AutoCloseable {

    /** What an operator writes later; closing it releases what it froze. */
    public interface Writer extends AutoCloseable {

        /** Writes the partition; runs in a checkpoint thread. */
        void writeTo(DataOutputViewStreamWrapper out) throws IOException;

        @Override
        void close();
    }

    /** Cancels the writes still running when the operator closes. */
    private final CloseableRegistry running = new CloseableRegistry();

    private Writer deferred;

    /** Writes {@code writer} in the asynchronous phase of the checkpoint being taken. */
    public void defer(Writer writer) {
        if (deferred != null) {
            deferred.close();
        }
        deferred = writer;
    }

    /**
     * Replaces the raw operator state future of {@code futures} by the deferred write, if any. The
     * operator wrote nothing to its raw stream in the synchronous phase, so the future replaced
     * holds no stream.
     */
    public void attach(OperatorSnapshotFutures futures, CheckpointStreamFactory factory)
            throws IOException {
        Writer writer = deferred;
        deferred = null;
        if (writer == null) {
            return;
        }
        try {
            RunnableFuture<SnapshotResult<OperatorStateHandle>> replaced =
                    futures.getOperatorStateRawFuture();
            futures.setOperatorStateRawFuture(
                    new Write(writer, factory).toAsyncSnapshotFutureTask(running));
            if (replaced != null) {
                // Never run now: cancelling it unregisters it from the operator's registry, which
                // would otherwise keep one entry per checkpoint for the operator's lifetime.
                replaced.cancel(true);
            }
        } catch (IOException | RuntimeException e) {
            writer.close();
            throw e;
        }
    }

    /** The synchronous phase failed: the deferred write will not run. */
    public void discardDeferred() {
        if (deferred != null) {
            deferred.close();
            deferred = null;
        }
    }

    /** Cancels running writes (they release their references when they stop). */
    @Override
    public void close() throws IOException {
        discardDeferred();
        running.close();
    }

    /** One partition, written from a checkpoint thread. */
    private static final class Write
            extends AsyncSnapshotCallable<SnapshotResult<OperatorStateHandle>> {

        private final Writer writer;
        private final CheckpointStreamFactory factory;

        Write(Writer writer, CheckpointStreamFactory factory) {
            this.writer = writer;
            this.factory = factory;
        }

        @Override
        protected SnapshotResult<OperatorStateHandle> callInternal() throws Exception {
            CheckpointStateOutputStream stream =
                    factory.createCheckpointStateOutputStream(CheckpointedStateScope.EXCLUSIVE);
            snapshotCloseableRegistry.registerCloseable(stream);
            long start = stream.getPos();
            writer.writeTo(new DataOutputViewStreamWrapper(stream));
            if (!snapshotCloseableRegistry.unregisterCloseable(stream)) {
                throw new IOException("The raw state stream was closed: checkpoint cancelled.");
            }
            StreamStateHandle written = stream.closeAndGetHandle();
            if (written == null) {
                return SnapshotResult.empty();
            }
            OperatorStateHandle.StateMetaInfo partitions =
                    new OperatorStateHandle.StateMetaInfo(
                            new long[] {start}, OperatorStateHandle.Mode.SPLIT_DISTRIBUTE);
            Map<String, OperatorStateHandle.StateMetaInfo> byName = new HashMap<>();
            byName.put(DefaultOperatorStateBackend.DEFAULT_OPERATOR_STATE_NAME, partitions);
            return SnapshotResult.of(new OperatorStreamStateHandle(byName, written));
        }

        @Override
        protected void cleanupProvidedResources() {
            writer.close();
        }
    }
}
