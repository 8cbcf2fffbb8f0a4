package io.github.flinkiteration.runtime.perround;

import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/** The {@link PerRoundHost} of a two-input operator. */
final class TwoInputPerRoundHost<IN1, IN2, OUT> extends PerRoundHost<OUT>
        implements TwoInputStreamOperator<IN1, IN2, OUT> {

    private static final long serialVersionUID = 1L;

    TwoInputPerRoundHost(
            StreamOperatorFactory<OUT> template, StreamOperatorParameters<OUT> parameters) {
        super(template, parameters);
    }

    @SuppressWarnings("unchecked")
    private TwoInputStreamOperator<IN1, IN2, OUT> current() throws Exception {
        ensureInstance();
        return (TwoInputStreamOperator<IN1, IN2, OUT>) instance;
    }

    @Override
    public void processElement1(StreamRecord<IN1> element) throws Exception {
        current().processElement1(element);
    }

    @Override
    public void processElement2(StreamRecord<IN2> element) throws Exception {
        current().processElement2(element);
    }

    @Override
    protected void endInstanceInputs() throws Exception {
        TwoInputStreamOperator<IN1, IN2, OUT> operator = current();
        operator.processWatermark1(Watermark.MAX_WATERMARK);
        operator.processWatermark2(Watermark.MAX_WATERMARK);
        if (operator instanceof BoundedMultiInput) {
            ((BoundedMultiInput) operator).endInput(1);
            ((BoundedMultiInput) operator).endInput(2);
        }
    }
}
