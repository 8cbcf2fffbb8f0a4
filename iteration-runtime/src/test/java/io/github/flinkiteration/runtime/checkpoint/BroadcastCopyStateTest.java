package io.github.flinkiteration.runtime.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Copies of a broadcast kept by subtasks at parallelism 2 come back whole: each subtask gets its
 * own at the same parallelism, and at parallelism 3 or 1 subtask {@code i} gets old subtask {@code
 * i mod 2}'s, never a mix of two and never nothing, also where a copy was empty.
 */
class BroadcastCopyStateTest {

    private static final int MAX_PARALLELISM = 128;

    @Test
    void eachSubtaskGetsItsOwnCopyBackAtTheSameParallelism() throws Exception {
        OperatorSubtaskState old = copiesAtParallelismTwo(List.of("a", "b"), List.of("c"));

        assertThat(restore(old, 2, 0)).containsExactly("a", "b");
        assertThat(restore(old, 2, 1)).containsExactly("c");
    }

    @Test
    void afterRescalingEverySubtaskGetsOneWholeCopy() throws Exception {
        OperatorSubtaskState old = copiesAtParallelismTwo(List.of("a", "b"), List.of("c"));

        assertThat(restore(old, 3, 0)).containsExactly("a", "b");
        assertThat(restore(old, 3, 1)).containsExactly("c");
        assertThat(restore(old, 3, 2)).containsExactly("a", "b");
        assertThat(restore(old, 1, 0)).containsExactly("a", "b");
    }

    @Test
    void anEmptyCopyStillCountsAsASubtask() throws Exception {
        OperatorSubtaskState old = copiesAtParallelismTwo(List.of(), List.of("c"));

        assertThat(restore(old, 3, 0)).isEmpty();
        assertThat(restore(old, 3, 1)).containsExactly("c");
        assertThat(restore(old, 3, 2)).isEmpty();
    }

    private static OperatorSubtaskState copiesAtParallelismTwo(
            List<String> first, List<String> second) throws Exception {
        return AbstractStreamOperatorTestHarness.repackageState(
                snapshot(2, 0, first), snapshot(2, 1, second));
    }

    private static OperatorSubtaskState snapshot(int parallelism, int subtask, List<String> copy)
            throws Exception {
        try (OneInputStreamOperatorTestHarness<String, Void> harness =
                new OneInputStreamOperatorTestHarness<>(
                        new CopyKeeper(), MAX_PARALLELISM, parallelism, subtask)) {
            harness.open();
            for (String item : copy) {
                harness.processElement(new StreamRecord<>(item));
            }
            return harness.snapshot(1, 1);
        }
    }

    private static List<String> restore(OperatorSubtaskState old, int parallelism, int subtask)
            throws Exception {
        CopyKeeper keeper = new CopyKeeper();
        try (OneInputStreamOperatorTestHarness<String, Void> harness =
                new OneInputStreamOperatorTestHarness<>(
                        keeper, MAX_PARALLELISM, parallelism, subtask)) {
            harness.initializeState(
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(
                            old, MAX_PARALLELISM, 2, parallelism, subtask));
            harness.open();
            return keeper.copy;
        }
    }

    /** Keeps the strings it receives as its subtask's copy. */
    private static final class CopyKeeper extends AbstractStreamOperator<Void>
            implements OneInputStreamOperator<String, Void> {
        private transient BroadcastCopyState<String> state;
        private transient List<String> copy;

        @Override
        public void initializeState(StateInitializationContext context) throws Exception {
            super.initializeState(context);
            state =
                    BroadcastCopyState.register(
                            context.getOperatorStateStore(), "copy", new StringCodec());
            copy =
                    new ArrayList<>(
                            state.restore(
                                    getRuntimeContext().getTaskInfo().getIndexOfThisSubtask()));
        }

        @Override
        public void processElement(StreamRecord<String> element) {
            copy.add(element.getValue());
        }

        @Override
        public void snapshotState(StateSnapshotContext context) throws Exception {
            super.snapshotState(context);
            state.update(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), copy);
        }
    }

    private static final class StringCodec implements ItemListState.Codec<String> {
        @Override
        public void write(String item, DataOutputView out) throws IOException {
            out.writeUTF(item);
        }

        @Override
        public String read(DataInputView in) throws IOException {
            return in.readUTF();
        }
    }
}
