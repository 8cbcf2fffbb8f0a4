package io.github.flinkiteration.runtime.progress;

import io.github.flinkiteration.api.ConvergenceCriterion;
import io.github.flinkiteration.runtime.record.IterationRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.runtime.operators.coordination.OperatorEventGateway;
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
 */
public final class TerminationCheckOperator<T> extends AbstractStreamOperator<Void>
        implements OneInputStreamOperator<IterationRecord<T>, Void> {

    private static final long serialVersionUID = 1L;

    private final ConvergenceCriterion<T> criterion;
    private final OperatorEventGateway coordinator;

    private final TreeMap<Integer, Long> counts = new TreeMap<>();
    private final TreeMap<Integer, List<T>> records = new TreeMap<>();
    private List<T> previousRecords = Collections.emptyList();
    private long reportedRound = -1;
    private transient TypeSerializer<IterationRecord<T>> copier;

    TerminationCheckOperator(
            StreamOperatorParameters<Void> parameters, ConvergenceCriterion<T> criterion) {
        super(parameters);
        this.criterion = criterion;
        this.coordinator =
                parameters
                        .getOperatorEventDispatcher()
                        .getOperatorEventGateway(parameters.getStreamConfig().getOperatorID());
    }

    @Override
    public void open() throws Exception {
        super.open();
        // Records are kept until the next round's evaluation: keep copies.
        copier = config.getTypeSerializerIn(0, getUserCodeClassloader());
    }

    @Override
    public void processElement(StreamRecord<IterationRecord<T>> element) {
        int round = element.getValue().getRound();
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
            coordinator.sendEventToCoordinator(new CheckReportEvent(Integer.MAX_VALUE, 0, false));
            return;
        }
        while (reportedRound < mark.getTimestamp()) {
            reportedRound++;
            report((int) reportedRound);
        }
    }

    private void report(int round) throws Exception {
        if (criterion == null) {
            Long count = counts.remove(round);
            coordinator.sendEventToCoordinator(
                    new CheckReportEvent(round, count == null ? 0 : count, false));
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
                                return round;
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
        coordinator.sendEventToCoordinator(
                new CheckReportEvent(round, roundRecords.size(), converged));
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus watermarkStatus) {}

    @Override
    public void processRecordAttributes(RecordAttributes recordAttributes) {}

    @Override
    public void processWatermark(WatermarkEvent watermark) {}
}
