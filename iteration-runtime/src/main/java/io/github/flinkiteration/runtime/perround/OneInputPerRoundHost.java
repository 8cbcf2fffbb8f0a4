package io.github.flinkiteration.runtime.perround;

import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/** The {@link PerRoundHost} of a one-input operator. */
final class OneInputPerRoundHost<IN, OUT> extends PerRoundHost<OUT>
        implements OneInputStreamOperator<IN, OUT> {

    private static final long serialVersionUID = 1L;

    OneInputPerRoundHost(
            StreamOperatorFactory<OUT> template, StreamOperatorParameters<OUT> parameters) {
        super(template, parameters);
    }

    @SuppressWarnings("unchecked")
    private OneInputStreamOperator<IN, OUT> current() throws Exception {
        ensureInstance();
        return (OneInputStreamOperator<IN, OUT>) instance;
    }

    @Override
    public void processElement(StreamRecord<IN> element) throws Exception {
        current().processElement(element);
    }

    @Override
    protected void endInstanceInputs() throws Exception {
        OneInputStreamOperator<IN, OUT> operator = current();
        operator.processWatermark(Watermark.MAX_WATERMARK);
        if (operator instanceof BoundedOneInput) {
            ((BoundedOneInput) operator).endInput();
        }
    }
}
