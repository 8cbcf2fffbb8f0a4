package io.github.flinkiteration.runtime.wrapper;

import io.github.flinkiteration.runtime.record.IterationRecord;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.KeyContextHandler;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/** Wraps a two-input operator of an iteration body (connect, broadcast state, joins). */
final class TwoInputRoundWrapper<IN1, IN2, OUT>
        extends AbstractRoundWrapper<OUT, TwoInputStreamOperator<IN1, IN2, OUT>>
        implements TwoInputStreamOperator<
                        IterationRecord<IN1>, IterationRecord<IN2>, IterationRecord<OUT>>,
                BoundedMultiInput {

    private static final long serialVersionUID = 1L;

    private final boolean innerKeyed1;
    private final boolean innerKeyed2;

    TwoInputRoundWrapper(
            TwoInputStreamOperator<IN1, IN2, OUT> inner,
            RoundTaggingOutput<OUT> taggingOutput,
            StreamOperatorParameters<IterationRecord<OUT>> parameters,
            boolean lockStep) {
        super(inner, taggingOutput, parameters, 2, lockStep);
        boolean handler = inner instanceof KeyContextHandler;
        this.innerKeyed1 = !handler || ((KeyContextHandler) inner).hasKeyContext1();
        this.innerKeyed2 = !handler || ((KeyContextHandler) inner).hasKeyContext2();
    }

    @Override
    public void processElement1(StreamRecord<IterationRecord<IN1>> element) throws Exception {
        onRecord(0, element);
    }

    @Override
    public void processElement2(StreamRecord<IterationRecord<IN2>> element) throws Exception {
        onRecord(1, element);
    }

    @Override
    @SuppressWarnings("unchecked")
    protected void setInnerKey(int input, StreamRecord<? extends IterationRecord<?>> wrapped)
            throws Exception {
        if (input == 0 && innerKeyed1) {
            inner.setKeyContextElement1(wrapped);
        } else if (input == 1 && innerKeyed2) {
            inner.setKeyContextElement2(wrapped);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    protected void deliver(int input, StreamRecord<?> value) throws Exception {
        if (input == 0) {
            inner.processElement1((StreamRecord<IN1>) value);
        } else {
            inner.processElement2((StreamRecord<IN2>) value);
        }
    }

    @Override
    public void processWatermark1(Watermark mark) throws Exception {
        onWatermark(0, mark);
    }

    @Override
    public void processWatermark2(Watermark mark) throws Exception {
        onWatermark(1, mark);
    }

    @Override
    public void processLatencyMarker1(LatencyMarker latencyMarker) throws Exception {
        inner.processLatencyMarker1(latencyMarker);
    }

    @Override
    public void processLatencyMarker2(LatencyMarker latencyMarker) throws Exception {
        inner.processLatencyMarker2(latencyMarker);
    }

    @Override
    public void processWatermarkStatus1(WatermarkStatus watermarkStatus) {}

    @Override
    public void processWatermarkStatus2(WatermarkStatus watermarkStatus) {}

    @Override
    public void endInput(int inputId) throws Exception {
        onInputEnded(inputId - 1);
    }

    @Override
    protected void endInnerInputs() throws Exception {
        if (inner instanceof BoundedMultiInput) {
            ((BoundedMultiInput) inner).endInput(1);
            ((BoundedMultiInput) inner).endInput(2);
        }
    }
}
