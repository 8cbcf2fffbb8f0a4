package io.github.flinkiteration.runtime.wrapper;

import io.github.flinkiteration.runtime.internal.ChainedHandoff;
import io.github.flinkiteration.runtime.record.IterationRecord;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.KeyContextHandler;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.api.operators.StreamFilter;
import org.apache.flink.streaming.api.operators.StreamFlatMap;
import org.apache.flink.streaming.api.operators.StreamMap;
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
        if (keepsNoStreamRecord(inner)) {
            // Holds early records as copies; its operator may keep the values.
            ChainedHandoff.offer(config(), this, true);
        }
    }

    /**
     * Whether {@code operator} keeps no reference to an input {@code StreamRecord} once its {@code
     * processElement} returns: Flink's map, flat map, filter and process operators, checked against
     * Flink 2.3.0 (they keep the value, pass the record on, or copy its timestamp). Any other
     * operator may keep records (an async operator queues them), so it gets Flink's copy.
     */
    static boolean keepsNoStreamRecord(Object operator) {
        Class<?> type = operator.getClass();
        return type == StreamMap.class
                || type == StreamFlatMap.class
                || type == StreamFilter.class
                || type == ProcessOperator.class;
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
