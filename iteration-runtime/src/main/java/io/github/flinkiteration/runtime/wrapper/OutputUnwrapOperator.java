package io.github.flinkiteration.runtime.wrapper;

import io.github.flinkiteration.api.spi.CurrentRound;
import io.github.flinkiteration.api.spi.RoundAggregates;
import io.github.flinkiteration.runtime.internal.EagerFlusher;
import io.github.flinkiteration.runtime.internal.OutputFlusher;
import io.github.flinkiteration.runtime.record.IterationRecord;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Takes an output stream out of the iteration: it strips the round from every record. Round
 * watermarks stay inside; only the final watermark passes, when the body has finished.
 *
 * <p>In an unbounded iteration the records it writes to the network are flushed eagerly ({@link
 * EagerFlusher}): a new model version reaches the operators after the iteration at once, not at
 * Flink's buffer timeout.
 */
public final class OutputUnwrapOperator<T> extends AbstractStreamOperator<T>
        implements OneInputStreamOperator<IterationRecord<T>, T>, BoundedOneInput {

    private transient CurrentRound currentRound;

    private static final long serialVersionUID = 1L;

    private final boolean eagerFlush;
    private transient boolean finalWatermarkPassed;
    private transient EagerFlusher flusher;

    /**
     * @param eagerFlush whether to flush each record soon instead of at the buffer timeout
     */
    public OutputUnwrapOperator(boolean eagerFlush) {
        this.eagerFlush = eagerFlush;
    }

    @Override
    public void open() throws Exception {
        super.open();
        if (eagerFlush) {
            flusher =
                    EagerFlusher.forNetworkOutputs(
                            OutputFlusher.of(output, config, getUserCodeClassloader()),
                            getProcessingTimeService());
        }
    }

    @Override
    public void processElement(StreamRecord<IterationRecord<T>> element) {
        // Operators chained behind the output are outside the body: they have no round.
        if (currentRound == null) {
            currentRound = CurrentRound.ofThisThread();
        }
        long bodyRound = currentRound.get();
        RoundAggregates bodyAggregates = currentRound.aggregates();
        currentRound.set(CurrentRound.NONE, null);
        try {
            output.collect(element.replace(element.getValue().getValue()));
        } finally {
            currentRound.set(bodyRound, bodyAggregates);
        }
        if (flusher != null) {
            flusher.afterEmit();
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        if (mark.getTimestamp() == Long.MAX_VALUE) {
            finalWatermarkPassed = true;
            super.processWatermark(mark);
        }
    }

    /**
     * An output taken from a head (a variable's final value) gets no final watermark: heads pass
     * rounds, not event time. When the output ends, event time is over for what follows it.
     */
    @Override
    public void endInput() throws Exception {
        if (!finalWatermarkPassed) {
            processWatermark(Watermark.MAX_WATERMARK);
        }
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus watermarkStatus) {}

    @Override
    public void processRecordAttributes(RecordAttributes recordAttributes) {}

    @Override
    public void processWatermark(WatermarkEvent watermark) {}
}
