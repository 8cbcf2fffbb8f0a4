package io.github.flinkiteration.tf.runtime;

import io.github.flinkiteration.tf.model.ModelVersion;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.types.Row;

/**
 * Scores rows (input 1) with the latest model version (input 2, broadcast) in mini-batches, and
 * emits each input row extended by the output columns and the number of the version that scored it.
 *
 * <p>A row waits in a partly filled batch at most {@code maxDelay}: a processing-time timer (run by
 * the task's mailbox, like every other call of this operator) scores the partial batch then. Full
 * batches are scored at once; partial ones also at the end of the input, before a watermark is
 * forwarded (so no row falls behind it) and before a checkpoint barrier. A new model version takes
 * effect between two batches: the rows of a batch are scored, and reported, with the version
 * current when the batch is scored.
 *
 * <p>Rows that arrive before the first version wait for it in memory and, in a checkpoint, in
 * operator state; the current version is in operator state as well, so a restored job scores with
 * it. The TF session is opened in {@code open} and closed in {@code close}.
 */
public final class ScoringOperator extends AbstractStreamOperator<Row>
        implements TwoInputStreamOperator<Row, ModelVersion, Row>, BoundedMultiInput {

    private final InferenceSettings settings;
    private final TypeInformation<Row> inputType;

    private transient ModelSession session;
    private transient ModelVersion current;
    private transient ArrayDeque<PendingRow> pending;
    private transient BatchScorer scorer;
    private transient boolean timerArmed;
    private transient ListState<Row> pendingState;
    private transient ListState<ModelVersion> versionState;

    public ScoringOperator(InferenceSettings settings, TypeInformation<Row> inputType) {
        this.settings = settings;
        this.inputType = inputType;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        pending = new ArrayDeque<>();
        pendingState =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("tf-waiting-rows", inputType));
        // Every subtask holds the same version: a union list lets any subtask (after rescaling
        // too) find the newest.
        versionState =
                context.getOperatorStateStore()
                        .getUnionListState(
                                new ListStateDescriptor<>(
                                        "tf-model-version",
                                        TypeInformation.of(ModelVersion.class)));
        if (context.isRestored()) {
            long now = getProcessingTimeService().getCurrentProcessingTime();
            for (Row row : pendingState.get()) {
                pending.add(new PendingRow(row, Long.MIN_VALUE, now));
            }
            for (ModelVersion version : versionState.get()) {
                if (current == null || version.version > current.version) {
                    current = version;
                }
            }
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        session = settings.openSession();
        scorer = settings.scorer();
        if (current != null) {
            writeWeights(current);
        }
        // Model versions carry no event time: only the rows' watermarks count (see
        // processWatermark2).
        super.processWatermark2(Watermark.MAX_WATERMARK);
        // Restored rows waited for a first version (with a version they would have been scored
        // before the checkpoint); they still do.
    }

    @Override
    public void processElement1(StreamRecord<Row> element) throws Exception {
        long timestamp = element.hasTimestamp() ? element.getTimestamp() : Long.MIN_VALUE;
        long now = getProcessingTimeService().getCurrentProcessingTime();
        pending.add(new PendingRow(element.getValue(), timestamp, now));
        if (current != null) {
            scoreWhatIsDue();
        }
    }

    @Override
    public void processElement2(StreamRecord<ModelVersion> element) throws Exception {
        ModelVersion version = element.getValue();
        writeWeights(version);
        current = version;
        scoreWhatIsDue();
    }

    /**
     * Sets the session's variables to the version's; a version without variables (a SavedModel's
     * own, which every subtask loads with the model) leaves them as they are.
     */
    private void writeWeights(ModelVersion version) {
        if (version.weights.size() > 0) {
            session.writeWeightsByName(version.weights);
        }
    }

    /** Scores full batches; then the rest at once or when its oldest row's delay runs out. */
    private void scoreWhatIsDue() {
        while (pending.size() >= settings.batchSize) {
            scoreBatch(settings.batchSize);
        }
        if (pending.isEmpty()) {
            return;
        }
        long deadline = pending.peekFirst().arrival + settings.maxDelayMillis;
        if (getProcessingTimeService().getCurrentProcessingTime() >= deadline) {
            scoreAll();
        } else if (!timerArmed) {
            timerArmed = true;
            getProcessingTimeService().registerTimer(deadline, time -> onTimer());
        }
    }

    private void onTimer() {
        timerArmed = false;
        if (current != null) {
            scoreWhatIsDue();
        }
    }

    private void scoreAll() {
        while (!pending.isEmpty()) {
            scoreBatch(Math.min(pending.size(), settings.batchSize));
        }
    }

    /** Scores the first {@code rows} pending rows with the current version and emits them. */
    private void scoreBatch(int rows) {
        PendingRow[] batch = new PendingRow[rows];
        Row[] batchRows = new Row[rows];
        for (int r = 0; r < rows; r++) {
            batch[r] = pending.pollFirst();
            batchRows[r] = batch[r].row;
        }
        Object[][] outputs = scorer.score(session, batchRows, rows);
        StreamRecord<Row> record = new StreamRecord<>(null);
        for (int r = 0; r < rows; r++) {
            PendingRow scored = batch[r];
            record.replace(extend(scored.row, outputs[r]));
            if (scored.timestamp == Long.MIN_VALUE) {
                record.eraseTimestamp();
            } else {
                record.setTimestamp(scored.timestamp);
            }
            output.collect(record);
        }
    }

    private Row extend(Row row, Object[] outputs) {
        int arity = row.getArity();
        Row extended = Row.withPositions(row.getKind(), arity + outputs.length + 1);
        for (int i = 0; i < arity; i++) {
            extended.setField(i, row.getField(i));
        }
        for (int o = 0; o < outputs.length; o++) {
            extended.setField(arity + o, outputs[o]);
        }
        extended.setField(arity + outputs.length, current.version);
        return extended;
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        if (current != null) {
            scoreAll(); // rows must not fall behind the watermark in a buffer
        }
        super.processWatermark(mark);
    }

    @Override
    public void processWatermark2(Watermark mark) {
        // Ignored: the versions stream's event time says nothing about the rows'.
    }

    @Override
    public void endInput(int inputId) {
        if (inputId == 1 && current != null) {
            scoreAll();
        }
    }

    @Override
    public void finish() throws Exception {
        if (!pending.isEmpty()) {
            if (current == null) {
                throw new IllegalStateException(
                        pending.size()
                                + " rows were not scored: the stream of model versions ended"
                                + " without any version. Give the TFModel a model, or make sure"
                                + " its training emits at least one version");
            }
            scoreAll();
        }
        super.finish();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        if (current != null) {
            scoreAll(); // a partial batch goes out before the barrier, not into the state
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<Row> waiting = new ArrayList<>(pending.size());
        pending.forEach(p -> waiting.add(p.row));
        pendingState.update(waiting);
        versionState.update(current == null ? List.of() : List.of(current));
    }

    @Override
    public void close() throws Exception {
        if (session != null) {
            session.close();
            session = null;
        }
        super.close();
    }

    /** A row waiting to be scored, with its record timestamp and its arrival (processing time). */
    private static final class PendingRow {
        final Row row;
        final long timestamp;
        final long arrival;

        PendingRow(Row row, long timestamp, long arrival) {
            this.row = row;
            this.timestamp = timestamp;
            this.arrival = arrival;
        }
    }
}
