package io.github.flinkiteration.runtime.wrapper;

import io.github.flinkiteration.runtime.internal.ChainedHandoff;
import io.github.flinkiteration.runtime.record.IterationRecord;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.KeyContextHandler;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/** Wraps a one-input operator of an iteration body. */
final class OneInputRoundWrapper<IN, OUT>
        extends AbstractRoundWrapper<OUT, OneInputStreamOperator<IN, OUT>>
        implements OneInputStreamOperator<IterationRecord<IN>, IterationRecord<OUT>>,
                BoundedOneInput {

    private static final long serialVersionUID = 1L;

    private final boolean innerKeyed;

    OneInputRoundWrapper(
            OneInputStreamOperator<IN, OUT> inner,
            RoundTaggingOutput<OUT> taggingOutput,
            StreamOperatorParameters<IterationRecord<OUT>> parameters,
            boolean lockStep) {
        super(inner, taggingOutput, parameters, 1, lockStep);
        this.innerKeyed =
                !(inner instanceof KeyContextHandler)
                        || ((KeyContextHandler) inner).hasKeyContext1();
    }

    @Override
    public void open() throws Exception {
        super.open();
        // Unwraps records it owns in place, and may hold early ones: it takes ownership.
        ChainedHandoff.offer(config(), this, true);
    }

    @Override
    public void close() throws Exception {
        ChainedHandoff.withdraw(config());
        super.close();
    }

    @Override
    public void processElement(StreamRecord<IterationRecord<IN>> element) throws Exception {
        onRecord(0, element);
    }

    @Override
    @SuppressWarnings("unchecked")
    protected void setInnerKey(int input, StreamRecord<? extends IterationRecord<?>> wrapped)
            throws Exception {
        if (innerKeyed) {
            // The wrapped operator's key selector is a ValueKeySelector over the wrapped record.
            inner.setKeyContextElement1(wrapped);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    protected void deliver(int input, StreamRecord<?> value) throws Exception {
        inner.processElement((StreamRecord<IN>) value);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        onWatermark(0, mark);
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus watermarkStatus) {}

    @Override
    public void processLatencyMarker(LatencyMarker latencyMarker) throws Exception {
        inner.processLatencyMarker(latencyMarker);
    }

    @Override
    public void setKeyContextElement(StreamRecord<IterationRecord<IN>> record) {}

    @Override
    public void endInput() throws Exception {
        onInputEnded(0);
    }

    @Override
    protected void endInnerInputs() throws Exception {
        if (inner instanceof BoundedOneInput) {
            ((BoundedOneInput) inner).endInput();
        }
    }
}
