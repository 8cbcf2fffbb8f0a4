package io.github.flinkiteration.flinkml.common.broadcast;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.metrics.groups.OperatorMetricGroup;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.runtime.state.OperatorStateBackend;
import org.apache.flink.streaming.api.graph.StreamConfig;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.Input;
import org.apache.flink.streaming.api.operators.MultipleInputStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFutures;
import org.apache.flink.streaming.api.operators.StreamTaskStateInitializer;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Runs the user's one- or two-input operator with broadcast variables. Inputs {@code 1 … d} are the
 * operator's own, the others the broadcast streams, in the order of the names. Until every
 * broadcast stream has ended, the operator's inputs are held back (records, the newest watermark,
 * their end); then the variables are published to the function's runtime context and what was held
 * goes in, in order.
 *
 * <p>Lifecycle, state and metrics are the wrapped operator's (it shares this operator's
 * configuration). The held records and the variables are written into its operator state, so a
 * checkpoint taken while they are held keeps them.
 */
final class BroadcastVariablesOperator<OUT>
        implements MultipleInputStreamOperator<OUT>, BoundedMultiInput {

    private static final long serialVersionUID = 1L;
    private static final long NO_TIMESTAMP = Long.MIN_VALUE;

    private final AbstractStreamOperator<OUT> inner;
    private final BroadcastRuntimeContext context;
    private final List<String> names;
    private final int dataInputs;
    private final StreamConfig config;
    private final ClassLoader classLoader;

    private final List<List<StreamRecord<Object>>> held = new ArrayList<>();
    private final List<List<Object>> variables = new ArrayList<>();
    private final long[] heldWatermarks;
    private final boolean[] ended;
    private boolean released;

    private transient List<ListState<Object>> heldState;
    private transient List<ListState<Long>> heldTimestampState;
    private transient List<ListState<Object>> variableState;
    private transient ListState<Long> progressState;

    BroadcastVariablesOperator(
            AbstractStreamOperator<OUT> inner,
            BroadcastRuntimeContext context,
            List<String> names,
            int dataInputs,
            StreamConfig config,
            ClassLoader classLoader) {
        this.inner = inner;
        this.context = context;
        this.names = names;
        this.dataInputs = dataInputs;
        this.config = config;
        this.classLoader = classLoader;
        for (int i = 0; i < dataInputs; i++) {
            held.add(new ArrayList<>());
        }
        for (int j = 0; j < names.size(); j++) {
            variables.add(new ArrayList<>());
        }
        this.heldWatermarks = new long[dataInputs];
        Arrays.fill(heldWatermarks, Long.MIN_VALUE);
        this.ended = new boolean[dataInputs + names.size()];
    }

    @Override
    @SuppressWarnings("rawtypes") // Flink's signature
    public List<Input> getInputs() {
        List<Input> inputs = new ArrayList<>();
        for (int i = 0; i < dataInputs; i++) {
            inputs.add(new DataInput(i));
        }
        for (int j = 0; j < names.size(); j++) {
            inputs.add(new VariableInput(j));
        }
        return inputs;
    }

    @Override
    public void endInput(int inputId) throws Exception {
        int input = inputId - 1;
        if (ended[input]) {
            return; // ended again after a restore
        }
        ended[input] = true;
        if (input >= dataInputs) {
            releaseIfAllVariablesEnded();
        } else if (released) {
            endInner(input);
        }
    }

    private void releaseIfAllVariablesEnded() throws Exception {
        if (released) {
            return;
        }
        for (int j = 0; j < names.size(); j++) {
            if (!ended[dataInputs + j]) {
                return;
            }
        }
        released = true;
        publish();
        for (int i = 0; i < dataInputs; i++) {
            for (StreamRecord<Object> record : held.get(i)) {
                deliver(i, record);
            }
            held.get(i).clear();
            if (heldWatermarks[i] != Long.MIN_VALUE) {
                deliverWatermark(i, new Watermark(heldWatermarks[i]));
            }
            if (ended[i]) {
                endInner(i);
            }
        }
    }

    private void publish() {
        Map<String, List<?>> complete = new LinkedHashMap<>();
        for (int j = 0; j < names.size(); j++) {
            complete.put(names.get(j), variables.get(j));
        }
        context.publish(complete);
    }

    @SuppressWarnings("unchecked")
    private void deliver(int input, StreamRecord<Object> record) throws Exception {
        if (dataInputs == 1) {
            ((OneInputStreamOperator<Object, OUT>) inner).processElement(record);
        } else if (input == 0) {
            ((TwoInputStreamOperator<Object, Object, OUT>) inner).processElement1(record);
        } else {
            ((TwoInputStreamOperator<Object, Object, OUT>) inner).processElement2(record);
        }
    }

    @SuppressWarnings("unchecked")
    private void deliverWatermark(int input, Watermark watermark) throws Exception {
        if (dataInputs == 1) {
            ((OneInputStreamOperator<Object, OUT>) inner).processWatermark(watermark);
        } else if (input == 0) {
            ((TwoInputStreamOperator<Object, Object, OUT>) inner).processWatermark1(watermark);
        } else {
            ((TwoInputStreamOperator<Object, Object, OUT>) inner).processWatermark2(watermark);
        }
    }

    private void endInner(int input) throws Exception {
        if (dataInputs == 1 && inner instanceof BoundedOneInput) {
            ((BoundedOneInput) inner).endInput();
        } else if (dataInputs == 2 && inner instanceof BoundedMultiInput) {
            ((BoundedMultiInput) inner).endInput(input + 1);
        }
    }

    /** One of the operator's own inputs: held back until the variables are complete. */
    private final class DataInput implements Input<Object> {
        private final int input;

        DataInput(int input) {
            this.input = input;
        }

        @Override
        public void processElement(StreamRecord<Object> record) throws Exception {
            if (released) {
                deliver(input, record);
            } else {
                held.get(input).add(record.copy(record.getValue()));
            }
        }

        @Override
        public void processWatermark(Watermark watermark) throws Exception {
            if (released) {
                deliverWatermark(input, watermark);
            } else {
                heldWatermarks[input] = Math.max(heldWatermarks[input], watermark.getTimestamp());
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public void processWatermarkStatus(WatermarkStatus status) throws Exception {
            if (!released) {
                return;
            }
            if (dataInputs == 1) {
                ((OneInputStreamOperator<Object, OUT>) inner).processWatermarkStatus(status);
            } else if (input == 0) {
                ((TwoInputStreamOperator<Object, Object, OUT>) inner)
                        .processWatermarkStatus1(status);
            } else {
                ((TwoInputStreamOperator<Object, Object, OUT>) inner)
                        .processWatermarkStatus2(status);
            }
        }

        @Override
        public void processLatencyMarker(LatencyMarker marker) {}

        @Override
        public void setKeyContextElement(StreamRecord<Object> record) {}
    }

    /** A broadcast stream: every record is kept as part of its variable. */
    private final class VariableInput implements Input<Object> {
        private final int variable;

        VariableInput(int variable) {
            this.variable = variable;
        }

        @Override
        public void processElement(StreamRecord<Object> record) {
            variables.get(variable).add(record.getValue());
        }

        @Override
        public void processWatermark(Watermark watermark) {}

        @Override
        public void processWatermarkStatus(WatermarkStatus status) {}

        @Override
        public void processLatencyMarker(LatencyMarker marker) {}

        @Override
        public void setKeyContextElement(StreamRecord<Object> record) {}
    }

    // ---- state: written into the wrapped operator's operator state ----

    @Override
    public void initializeState(StreamTaskStateInitializer stateInitializer) throws Exception {
        inner.initializeState(stateInitializer);
        OperatorStateBackend store = inner.getOperatorStateBackend();
        heldState = new ArrayList<>();
        heldTimestampState = new ArrayList<>();
        for (int i = 0; i < dataInputs; i++) {
            TypeSerializer<Object> serializer = config.getTypeSerializerIn(i, classLoader);
            heldState.add(
                    store.getListState(
                            new ListStateDescriptor<>("broadcast-held-" + i, serializer)));
            heldTimestampState.add(
                    store.getListState(
                            new ListStateDescriptor<>(
                                    "broadcast-held-timestamps-" + i, Types.LONG)));
        }
        variableState = new ArrayList<>();
        for (int j = 0; j < names.size(); j++) {
            TypeSerializer<Object> serializer =
                    config.getTypeSerializerIn(dataInputs + j, classLoader);
            variableState.add(
                    store.getListState(
                            new ListStateDescriptor<>("broadcast-variable-" + j, serializer)));
        }
        progressState =
                store.getListState(new ListStateDescriptor<>("broadcast-progress", Types.LONG));
        List<Long> progress = new ArrayList<>();
        progressState.get().forEach(progress::add);
        if (progress.isEmpty()) {
            return;
        }
        int p = 0;
        released = progress.get(p++) != 0;
        for (int input = 0; input < ended.length; input++) {
            ended[input] = progress.get(p++) != 0;
        }
        for (int i = 0; i < dataInputs; i++) {
            heldWatermarks[i] = progress.get(p++);
            List<Long> timestamps = new ArrayList<>();
            heldTimestampState.get(i).get().forEach(timestamps::add);
            int k = 0;
            for (Object value : heldState.get(i).get()) {
                long timestamp = timestamps.get(k++);
                held.get(i)
                        .add(
                                timestamp == NO_TIMESTAMP
                                        ? new StreamRecord<>(value)
                                        : new StreamRecord<>(value, timestamp));
            }
        }
        for (int j = 0; j < names.size(); j++) {
            variableState.get(j).get().forEach(variables.get(j)::add);
        }
        if (released) {
            publish();
        }
    }

    @Override
    public OperatorSnapshotFutures snapshotState(
            long checkpointId,
            long timestamp,
            CheckpointOptions checkpointOptions,
            CheckpointStreamFactory storageLocation)
            throws Exception {
        // Written before the wrapped operator snapshots its operator state, which holds them.
        List<Long> progress = new ArrayList<>();
        progress.add(released ? 1L : 0L);
        for (boolean inputEnded : ended) {
            progress.add(inputEnded ? 1L : 0L);
        }
        for (int i = 0; i < dataInputs; i++) {
            progress.add(heldWatermarks[i]);
            List<Object> values = new ArrayList<>();
            List<Long> timestamps = new ArrayList<>();
            for (StreamRecord<Object> record : held.get(i)) {
                values.add(record.getValue());
                timestamps.add(record.hasTimestamp() ? record.getTimestamp() : NO_TIMESTAMP);
            }
            heldState.get(i).update(values);
            heldTimestampState.get(i).update(timestamps);
        }
        for (int j = 0; j < names.size(); j++) {
            variableState.get(j).update(variables.get(j));
        }
        progressState.update(progress);
        return inner.snapshotState(checkpointId, timestamp, checkpointOptions, storageLocation);
    }

    // ---- everything else is the wrapped operator's ----

    @Override
    public void open() throws Exception {
        inner.open();
        if (names.isEmpty()) {
            releaseIfAllVariablesEnded();
        }
    }

    @Override
    public void finish() throws Exception {
        inner.finish();
    }

    @Override
    public void close() throws Exception {
        inner.close();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        inner.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        inner.notifyCheckpointComplete(checkpointId);
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) throws Exception {
        inner.notifyCheckpointAborted(checkpointId);
    }

    @Override
    public void setKeyContextElement1(StreamRecord<?> record) {}

    @Override
    public void setKeyContextElement2(StreamRecord<?> record) {}

    @Override
    public OperatorMetricGroup getMetricGroup() {
        return inner.getMetricGroup();
    }

    @Override
    public OperatorID getOperatorID() {
        return inner.getOperatorID();
    }

    @Override
    public void setCurrentKey(Object key) {
        inner.setCurrentKey(key);
    }

    @Override
    public Object getCurrentKey() {
        return inner.getCurrentKey();
    }
}
