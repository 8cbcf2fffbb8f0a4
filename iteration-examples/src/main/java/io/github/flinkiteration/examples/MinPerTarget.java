package io.github.flinkiteration.examples;

import io.github.flinkiteration.api.IterationListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Combines the (target, value) records of one round to the smallest value per target, emitted at
 * the round's end: a connected-components round sends many candidate labels to the same vertex, and
 * only the smallest can change it. Fewer records then reach the solution set's keyed state, where
 * each lookup costs far more than a probe into this table. Held values are checkpointed.
 *
 * <p>The table is open addressing over two int arrays: no boxing for the million entries of an
 * early round.
 */
final class MinPerTarget extends ProcessFunction<Tuple2<Integer, Integer>, Tuple2<Integer, Integer>>
        implements IterationListener<Tuple2<Integer, Integer>>, CheckpointedFunction {

    private static final long serialVersionUID = 1L;
    private static final int EMPTY = Integer.MIN_VALUE;

    private int[] targets = emptyTable(1024);
    private int[] values = new int[1024];
    private int size;

    private transient ListState<Tuple2<Integer, Integer>> held;

    private static int[] emptyTable(int capacity) {
        int[] table = new int[capacity];
        Arrays.fill(table, EMPTY);
        return table;
    }

    @Override
    public void processElement(
            Tuple2<Integer, Integer> record,
            ProcessFunction<Tuple2<Integer, Integer>, Tuple2<Integer, Integer>>.Context ctx,
            Collector<Tuple2<Integer, Integer>> out) {
        offer(record.f0, record.f1);
    }

    private void offer(int target, int value) {
        int mask = targets.length - 1;
        int slot = mix(target) & mask;
        while (targets[slot] != EMPTY && targets[slot] != target) {
            slot = (slot + 1) & mask;
        }
        if (targets[slot] == EMPTY) {
            targets[slot] = target;
            values[slot] = value;
            if (++size * 2 > targets.length) {
                grow();
            }
        } else if (value < values[slot]) {
            values[slot] = value;
        }
    }

    private static int mix(int key) {
        int h = key * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    private void grow() {
        int[] oldTargets = targets;
        int[] oldValues = values;
        targets = emptyTable(oldTargets.length * 2);
        values = new int[oldTargets.length * 2];
        size = 0;
        for (int i = 0; i < oldTargets.length; i++) {
            if (oldTargets[i] != EMPTY) {
                offer(oldTargets[i], oldValues[i]);
            }
        }
    }

    @Override
    public void onRoundEnd(
            int round, IterationListener.Context context, Collector<Tuple2<Integer, Integer>> out) {
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] != EMPTY) {
                out.collect(Tuple2.of(targets[i], values[i]));
            }
        }
        targets = emptyTable(1024);
        values = new int[1024];
        size = 0;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        List<Tuple2<Integer, Integer>> entries = new ArrayList<>(size);
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] != EMPTY) {
                entries.add(Tuple2.of(targets[i], values[i]));
            }
        }
        held.update(entries);
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        held =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "smallest-per-target", ConnectedComponents.LABEL));
        for (Tuple2<Integer, Integer> entry : held.get()) {
            offer(entry.f0, entry.f1);
        }
    }
}
