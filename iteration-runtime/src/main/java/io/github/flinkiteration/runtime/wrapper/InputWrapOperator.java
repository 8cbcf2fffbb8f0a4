package io.github.flinkiteration.runtime.wrapper;

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
 * Brings a data stream into the body: every record becomes a round-0 record. When the stream ends
 * it emits round watermark 0 and then the final watermark, so that operators reading it together
 * with a variable are not held back in later rounds by this finished input.
 *
 * <p>Event-time watermarks of the stream are not carried into the body (there, watermarks are round
 * numbers); record timestamps are.
 *
 * <p>In an unbounded iteration the records it writes to the network are flushed eagerly ({@link
 * EagerFlusher}): a slow stream's records reach the body at once instead of at Flink's buffer
 * timeout.
 */
public final class InputWrapOperator<T> extends AbstractStreamOperator<IterationRecord<T>>
        implements OneInputStreamOperator<T, IterationRecord<T>>, BoundedOneInput {

    private static final long serialVersionUID = 1L;

    private final boolean eagerFlush;
    private transient EagerFlusher flusher;

    /**
     * @param eagerFlush whether to flush each record soon instead of at the buffer timeout
     */
    public InputWrapOperator(boolean eagerFlush) {
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
    public void processElement(StreamRecord<T> element) {
        output.collect(element.replace(new IterationRecord<>(0, element.getValue())));
        if (flusher != null) {
            flusher.afterEmit();
        }
    }

    @Override
    public void processWatermark(Watermark mark) {}

    @Override
    public void processWatermarkStatus(WatermarkStatus watermarkStatus) {}

    @Override
    public void processRecordAttributes(RecordAttributes recordAttributes) {}

    @Override
    public void processWatermark(WatermarkEvent watermark) {}

    @Override
    public void endInput() {
        output.emitWatermark(new Watermark(0));
        output.emitWatermark(Watermark.MAX_WATERMARK);
    }
}
