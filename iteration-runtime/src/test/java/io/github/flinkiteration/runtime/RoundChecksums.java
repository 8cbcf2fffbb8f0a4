package io.github.flinkiteration.runtime;

import static io.github.flinkiteration.runtime.SpillTestSupport.checksum;
import static io.github.flinkiteration.runtime.SpillTestSupport.filesIn;

import io.github.flinkiteration.api.IterationListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Emits, at each round's end, (round, records, checksum, whether a spill file exists now). The
 * round's running sums are checkpointed: a restore in the middle of a round goes on from them.
 */
final class RoundChecksums
        extends ProcessFunction<Tuple3<Long, Long, Long>, Tuple4<Integer, Long, Long, Boolean>>
        implements IterationListener<Tuple4<Integer, Long, Long, Boolean>>, CheckpointedFunction {

    private final String spillDirectory;
    private long count;
    private long checksum;
    private transient ListState<Long> sums;

    RoundChecksums(String spillDirectory) {
        this.spillDirectory = spillDirectory;
    }

    @Override
    public void processElement(
            Tuple3<Long, Long, Long> value,
            ProcessFunction<Tuple3<Long, Long, Long>, Tuple4<Integer, Long, Long, Boolean>>.Context
                    ctx,
            Collector<Tuple4<Integer, Long, Long, Boolean>> out) {
        count++;
        checksum += checksum(value);
    }

    @Override
    public void onRoundEnd(
            int round,
            IterationListener.Context ctx,
            Collector<Tuple4<Integer, Long, Long, Boolean>> out) {
        out.collect(Tuple4.of(round, count, checksum, filesIn(Path.of(spillDirectory)) > 0));
        count = 0;
        checksum = 0;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        sums.update(List.of(count, checksum));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        // Split list state comes back to the subtask that wrote it at the same parallelism.
        sums =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("sums", Types.LONG));
        List<Long> restored = new ArrayList<>();
        sums.get().forEach(restored::add);
        if (restored.size() == 2) {
            count = restored.get(0);
            checksum = restored.get(1);
        }
    }
}
