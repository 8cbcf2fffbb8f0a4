package io.github.flinkiteration.runtime.termination;

import io.github.flinkiteration.api.ConvergenceCriterion;
import io.github.flinkiteration.api.spi.SaturatedRound;
import io.github.flinkiteration.runtime.checkpoint.CheckpointPreconditions;
import io.github.flinkiteration.runtime.checkpoint.ItemListState;
import io.github.flinkiteration.runtime.checkpoint.ProgressState;
import io.github.flinkiteration.runtime.checkpoint.SubtaskProgress;
import io.github.flinkiteration.runtime.coordinator.IterationCoordinatorProvider.Role;
import io.github.flinkiteration.runtime.coordinator.ParticipantOperatorFactory;
import io.github.flinkiteration.runtime.protocol.CheckReportEvent;
import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import io.github.flinkiteration.runtime.protocol.ResumeEvent;
import io.github.flinkiteration.runtime.record.IterationRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.runtime.operators.coordination.OperatorEventGateway;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Watches the reference stream of a termination condition and reports each round to the coordinator
 * when the round's watermark passes. An emptiness check runs at the stream's parallelism and
 * counts; a convergence check runs on one subtask, gathers the round's records from all upstream
 * subtasks and evaluates the criterion.
 *
 * <p>Its checkpoint holds the counts or records of rounds not yet reported, the previous round's
 * records and its last report, which it sends again after a restore (the coordinator counts it
 * once).
 *
 * <p>Metrics, in the iteration's group: {@code checkedRounds}, and for a convergence check {@code
 * lastConvergenceValue}, the sum of the last checked round's records when they are numbers (what
 * {@code deltaBelow} compares), NaN before the first round or for other records. Both change once
 * per round.
 */
public final class TerminationCheckOperator<T> extends AbstractStreamOperator<Void>
        implements OneInputStreamOperator<IterationRecord<T>, Void> {

    private static final long serialVersionUID = 1L;

    private final ConvergenceCriterion<T> criterion;
    private final ProgressPlan plan;
    private final OperatorEventGateway coordinator;

    private final TreeMap<Long, Long> counts = new TreeMap<>();
    private final TreeMap<Long, List<T>> records = new TreeMap<>();
    private List<T> previousRecords = Collections.emptyList();
    private long reportedRound = -1;
    private CheckReportEvent lastReport;
    private transient TypeSerializer<IterationRecord<T>> copier;
    private transient ProgressState progressState;

    /** Union state: the same progress, read when restored at another parallelism. */
    private transient SubtaskProgress positionState;

    private transient ItemListState<IterationRecord<T>> recordsState;
    private transient Counter checkedRounds;
    private transient volatile double lastConvergenceValue = Double.NaN;

    /** Marks a stored record as one of the previous round's, not of a pending round. */
    private static final int PREVIOUS = -1;

    /**
     * The factory of a check with the coordinator it reports to.
     *
     * @param criterion the criterion, or {@code null} for an emptiness check
     */
    public static <T> ParticipantOperatorFactory<Void> factory(
            ConvergenceCriterion<T> criterion, ProgressPlan plan) {
        return new ParticipantOperatorFactory<>(
                plan,
                criterion == null ? Role.EMPTINESS_CHECK : Role.CONVERGENCE_CHECK,
                TerminationCheckOperator.class,
                parameters -> new TerminationCheckOperator<>(parameters, criterion, plan));
    }

    private TerminationCheckOperator(
            StreamOperatorParameters<Void> parameters,
            ConvergenceCriterion<T> criterion,
            ProgressPlan plan) {
        super(parameters);
        this.criterion = criterion;
        this.plan = plan;
        this.coordinator =
                parameters
                        .getOperatorEventDispatcher()
                        .getOperatorEventGateway(parameters.getStreamConfig().getOperatorID());
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        CheckpointPreconditions.recordParallelism(context.getOperatorStateStore(), parallelism);
        // Records are kept until the next round's evaluation: keep copies.
        copier = config.getTypeSerializerIn(0, getUserCodeClassloader());
        progressState = ProgressState.register(context.getOperatorStateStore(), "check-progress");
        positionState =
                SubtaskProgress.register(
                        context.getOperatorStateStore(), "check-position", subtask, parallelism);
        recordsState =
                ItemListState.register(
                        context.getOperatorStateStore(), "check-records", new RecordCodec());
        if (!context.isRestored()) {
            return;
        }
        SubtaskProgress.Restored position = positionState.restored();
        if (position.isRescaled()) {
            restoreAtBoundary(position.all(), subtask, parallelism);
            return;
        }
        long[] progress = progressState.get();
        reportedRound = progress[0];
        if (progress[1] != 0) {
            lastReport = new CheckReportEvent(progress[2], progress[3], progress[4] != 0);
        }
        for (int i = 5; i + 1 < progress.length; i += 2) {
            counts.put(progress[i], progress[i + 1]);
        }
        List<T> previous = new ArrayList<>();
        for (IterationRecord<T> record : recordsState.get()) {
            if (record.getRound() == PREVIOUS) {
                previous.add(record.getValue());
            } else {
                records.computeIfAbsent(record.getRound(), r -> new ArrayList<>())
                        .add(record.getValue());
            }
        }
        previousRecords = previous;
        lastConvergenceValue = sumOf(previous);
    }

    /**
     * An emptiness check restored at another parallelism from a snapshot taken between two rounds
     * (the heads refuse any other): every old subtask had reported the same round. Subtask 0 takes
     * the old subtasks' counts, of the last report and of round 0 if it still ran, so that the
     * coordinator's sums stay the same; the others report nothing new. A convergence check runs on
     * one subtask and keeps the round's records: it is never rescaled.
     */
    private void restoreAtBoundary(List<long[]> old, int subtask, int parallelism) {
        String operator = "termination check '" + getOperatorName() + "'";
        if (criterion != null) {
            throw CheckpointPreconditions.notRescalable(operator, old.size(), parallelism);
        }
        Long round = null;
        long lastCount = 0;
        boolean anyReport = false;
        TreeMap<Long, Long> pending = new TreeMap<>();
        for (long[] progress : old) {
            if (round != null && progress[0] != round) {
                throw CheckpointPreconditions.notRescalable(operator, old.size(), parallelism);
            }
            round = progress[0];
            if (progress[1] != 0) {
                anyReport = true;
                lastCount += progress[3];
            }
            for (int i = 5; i + 1 < progress.length; i += 2) {
                pending.merge(progress[i], progress[i + 1], Long::sum);
            }
        }
        reportedRound = round == null ? -1 : round;
        if (anyReport) {
            lastReport = new CheckReportEvent(reportedRound, subtask == 0 ? lastCount : 0, false);
        }
        if (subtask == 0) {
            counts.putAll(pending);
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        long[] progress = new long[5 + 2 * counts.size()];
        progress[0] = reportedRound;
        if (lastReport != null) {
            progress[1] = 1;
            progress[2] = lastReport.getRound();
            progress[3] = lastReport.getRecords();
            progress[4] = lastReport.isStop() ? 1 : 0;
        }
        int i = 5;
        for (Map.Entry<Long, Long> entry : counts.entrySet()) {
            progress[i++] = entry.getKey();
            progress[i++] = entry.getValue();
        }
        progressState.update(progress);
        positionState.update(progress);
        List<IterationRecord<T>> stored = new ArrayList<>();
        for (T value : previousRecords) {
            stored.add(new IterationRecord<>(PREVIOUS, value));
        }
        records.forEach(
                (round, values) ->
                        values.forEach(v -> stored.add(new IterationRecord<>(round, v))));
        recordsState.update(stored);
    }

    @Override
    public void open() throws Exception {
        super.open();
        MetricGroup group = plan.metricGroup(getMetricGroup());
        checkedRounds = group.counter("checkedRounds");
        checkedRounds.inc(reportedRound + 1);
        if (criterion != null) {
            group.gauge("lastConvergenceValue", (Gauge<Double>) () -> lastConvergenceValue);
        }
        coordinator.sendEventToCoordinator(new ResumeEvent(reportedRound, false));
        if (lastReport != null) {
            coordinator.sendEventToCoordinator(lastReport);
        }
    }

    @Override
    public void processElement(StreamRecord<IterationRecord<T>> element) {
        long round = element.getValue().getRound();
        if (criterion == null) {
            counts.merge(round, 1L, Long::sum);
        } else {
            records.computeIfAbsent(round, r -> new ArrayList<>())
                    .add(copier.copy(element.getValue()).getValue());
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        if (mark.getTimestamp() == Long.MAX_VALUE) {
            send(new CheckReportEvent(Long.MAX_VALUE, 0, false));
            return;
        }
        while (reportedRound < mark.getTimestamp()) {
            reportedRound++;
            report(reportedRound);
            checkedRounds.inc();
        }
    }

    private void report(long round) throws Exception {
        if (criterion == null) {
            Long count = counts.remove(round);
            send(new CheckReportEvent(round, count == null ? 0 : count, false));
            return;
        }
        List<T> current = records.remove(round);
        List<T> roundRecords =
                current == null ? Collections.emptyList() : Collections.unmodifiableList(current);
        List<T> previous = previousRecords;
        boolean converged =
                criterion.isConverged(
                        new ConvergenceCriterion.Context<T>() {
                            @Override
                            public int getRound() {
                                return SaturatedRound.of(round);
                            }

                            @Override
                            public List<T> getStreamRecords() {
                                return roundRecords;
                            }

                            @Override
                            public List<T> getPreviousStreamRecords() {
                                return previous;
                            }
                        });
        previousRecords = roundRecords;
        lastConvergenceValue = sumOf(roundRecords);
        send(new CheckReportEvent(round, roundRecords.size(), converged));
    }

    /** The sum of {@code values} if all are numbers, else NaN; once per round, for a metric. */
    private static double sumOf(List<?> values) {
        double sum = 0;
        for (Object value : values) {
            if (!(value instanceof Number)) {
                return Double.NaN;
            }
            sum += ((Number) value).doubleValue();
        }
        return sum;
    }

    private void send(CheckReportEvent report) {
        lastReport = report;
        coordinator.sendEventToCoordinator(report);
    }

    /** Writes a kept record with its round, or {@link #PREVIOUS}. */
    private final class RecordCodec implements ItemListState.Codec<IterationRecord<T>> {
        @Override
        public void write(IterationRecord<T> record, DataOutputView out) throws IOException {
            copier.serialize(record, out);
        }

        @Override
        public IterationRecord<T> read(DataInputView in) throws IOException {
            return copier.deserialize(in);
        }
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus watermarkStatus) {}

    @Override
    public void processRecordAttributes(RecordAttributes recordAttributes) {}

    @Override
    public void processWatermark(WatermarkEvent watermark) {}
}
