package io.github.flinkiteration.runtime.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.core.memory.DataOutputViewStreamWrapper;
import org.apache.flink.runtime.state.DefaultOperatorStateBackend;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.runtime.state.SnapshotResult;
import org.apache.flink.runtime.state.memory.MemCheckpointStreamFactory;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFutures;
import org.junit.jupiter.api.Test;

/**
 * A deferred raw state write produces the handle Flink's own raw operator state stream does, and
 * its writer is closed exactly once however the write ends.
 */
class AsyncRawStateTest {

    private final MemCheckpointStreamFactory factory = new MemCheckpointStreamFactory(1 << 20);

    /** Writes three longs; counts how often it wrote and was closed. */
    private static final class CountingWriter implements AsyncRawState.Writer {
        final AtomicInteger writes = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        final boolean fails;

        CountingWriter(boolean fails) {
            this.fails = fails;
        }

        @Override
        public void writeTo(DataOutputViewStreamWrapper out) throws IOException {
            writes.incrementAndGet();
            if (fails) {
                throw new IOException("writer failed on purpose");
            }
            out.writeLong(1);
            out.writeLong(2);
            out.writeLong(3);
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }

    private RunnableFuture<SnapshotResult<OperatorStateHandle>> attached(
            AsyncRawState state, CountingWriter writer) throws IOException {
        OperatorSnapshotFutures futures = new OperatorSnapshotFutures();
        state.defer(writer);
        state.attach(futures, factory);
        return futures.getOperatorStateRawFuture();
    }

    @Test
    void theWrittenPartitionReadsBackAsFlinksDefaultRawOperatorState() throws Exception {
        CountingWriter writer = new CountingWriter(false);
        RunnableFuture<SnapshotResult<OperatorStateHandle>> future =
                attached(new AsyncRawState(), writer);
        assertThat(writer.writes).as("nothing written in the synchronous phase").hasValue(0);

        future.run();
        OperatorStateHandle handle = future.get().getJobManagerOwnedSnapshot();
        OperatorStateHandle.StateMetaInfo partitions =
                handle.getStateNameToPartitionOffsets()
                        .get(DefaultOperatorStateBackend.DEFAULT_OPERATOR_STATE_NAME);
        assertThat(partitions.getDistributionMode())
                .isEqualTo(OperatorStateHandle.Mode.SPLIT_DISTRIBUTE);
        assertThat(partitions.getOffsets()).containsExactly(0L);
        try (FSDataInputStream in = handle.openInputStream()) {
            in.seek(partitions.getOffsets()[0]);
            DataInputViewStreamWrapper view = new DataInputViewStreamWrapper(in);
            assertThat(new long[] {view.readLong(), view.readLong(), view.readLong()})
                    .containsExactly(1, 2, 3);
        }
        assertThat(writer.closes).hasValue(1);
    }

    @Test
    void theFutureFlinkPreparedIsCancelledNotLeftBehind() throws Exception {
        OperatorSnapshotFutures futures = new OperatorSnapshotFutures();
        FutureTask<SnapshotResult<OperatorStateHandle>> prepared =
                new FutureTask<>(SnapshotResult::empty);
        futures.setOperatorStateRawFuture(prepared);
        AsyncRawState state = new AsyncRawState();
        state.defer(new CountingWriter(false));
        state.attach(futures, factory);
        assertThat(prepared.isCancelled()).isTrue();
        assertThat(futures.getOperatorStateRawFuture()).isNotSameAs(prepared);
    }

    @Test
    void aWriteCancelledBeforeItRanReleasesItsWriter() throws Exception {
        CountingWriter writer = new CountingWriter(false);
        RunnableFuture<SnapshotResult<OperatorStateHandle>> future =
                attached(new AsyncRawState(), writer);
        future.cancel(true);
        future.run();
        assertThat(writer.writes).hasValue(0);
        assertThat(writer.closes).hasValue(1);
        assertThatThrownBy(future::get).isInstanceOf(CancellationException.class);
    }

    @Test
    void aFailedWriteReleasesItsWriterAndFailsTheCheckpoint() throws Exception {
        CountingWriter writer = new CountingWriter(true);
        RunnableFuture<SnapshotResult<OperatorStateHandle>> future =
                attached(new AsyncRawState(), writer);
        future.run();
        assertThatThrownBy(future::get)
                .isInstanceOf(ExecutionException.class)
                .hasRootCauseMessage("writer failed on purpose");
        assertThat(writer.closes).hasValue(1);
    }

    @Test
    void closingTheOperatorReleasesDeferredAndPendingWriters() throws Exception {
        AsyncRawState state = new AsyncRawState();
        CountingWriter pending = new CountingWriter(false);
        RunnableFuture<SnapshotResult<OperatorStateHandle>> future = attached(state, pending);
        CountingWriter deferred = new CountingWriter(false);
        state.defer(deferred); // its synchronous phase failed before attach
        state.close();
        assertThat(deferred.closes).hasValue(1);
        assertThat(pending.closes).hasValue(1);
        future.run();
        assertThat(pending.writes).as("a cancelled write does not run").hasValue(0);
        assertThat(pending.closes).hasValue(1);
    }
}
