package io.github.flinkiteration.runtime.wrapper;

import io.github.flinkiteration.runtime.record.IterationRecord;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.Input;
import org.apache.flink.streaming.api.operators.MultipleInputStreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/** Wraps a multiple-input operator of an iteration body. */
final class MultiInputRoundWrapper<OUT>
        extends AbstractRoundWrapper<OUT, MultipleInputStreamOperator<OUT>>
        implements MultipleInputStreamOperator<IterationRecord<OUT>>, BoundedMultiInput {

    private static final long serialVersionUID = 1L;

    @SuppressWarnings("rawtypes")
    private final List<Input> innerInputs;

    @SuppressWarnings("rawtypes")
    private final List<Input> inputs = new ArrayList<>();

    @SuppressWarnings("rawtypes")
    MultiInputRoundWrapper(
            MultipleInputStreamOperator<OUT> inner,
            RoundTaggingOutput<OUT> taggingOutput,
            StreamOperatorParameters<IterationRecord<OUT>> parameters,
            boolean lockStep) {
        super(inner, taggingOutput, parameters, inner.getInputs().size(), lockStep);
        this.innerInputs = inner.getInputs();
        for (int i = 0; i < innerInputs.size(); i++) {
            inputs.add(new RoundInput(i));
        }
    }

    @Override
    @SuppressWarnings("rawtypes")
    public List<Input> getInputs() {
        return inputs;
    }

    @Override
    @SuppressWarnings("unchecked")
    protected void setInnerKey(int input, StreamRecord<? extends IterationRecord<?>> wrapped)
            throws Exception {
        // Each input's key selector is a ValueKeySelector over the wrapped record.
        innerInputs.get(input).setKeyContextElement(wrapped);
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    protected void deliver(int input, StreamRecord<?> value) throws Exception {
        innerInputs.get(input).processElement(value);
    }

    @Override
    public void endInput(int inputId) throws Exception {
        onInputEnded(inputId - 1);
    }

    @Override
    protected void endInnerInputs() throws Exception {
        if (inner instanceof BoundedMultiInput) {
            for (int i = 1; i <= innerInputs.size(); i++) {
                ((BoundedMultiInput) inner).endInput(i);
            }
        }
    }

    private final class RoundInput implements Input<IterationRecord<?>> {
        private final int index;

        RoundInput(int index) {
            this.index = index;
        }

        @Override
        public void processElement(StreamRecord<IterationRecord<?>> element) throws Exception {
            onRecord(index, element);
        }

        @Override
        public void processWatermark(Watermark mark) throws Exception {
            onWatermark(index, mark);
        }

        @Override
        public void processWatermarkStatus(WatermarkStatus watermarkStatus) {}

        @Override
        public void processLatencyMarker(LatencyMarker latencyMarker) throws Exception {
            innerInputs.get(index).processLatencyMarker(latencyMarker);
        }

        @Override
        public void setKeyContextElement(StreamRecord<IterationRecord<?>> record) {}
    }
}
