package io.github.flinkiteration.runtime.relay;

import io.github.flinkiteration.runtime.feedback.FeedbackChannel;
import io.github.flinkiteration.runtime.feedback.FeedbackChannels;
import io.github.flinkiteration.runtime.protocol.FeedbackItem;
import io.github.flinkiteration.runtime.protocol.FeedbackRecord;
import io.github.flinkiteration.runtime.protocol.RoundDecision;
import io.github.flinkiteration.runtime.protocol.RoundMarker;
import io.github.flinkiteration.runtime.protocol.SerializedFeedback;
import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.record.IterationRecordSerializer;
import java.util.List;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.metrics.groups.OperatorMetricGroup;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.execution.Environment;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.KeyContextHandler;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.OperatorAttributes;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFutures;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamTaskStateInitializer;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * A two-input body operator whose broadcast input arrives in process from its {@link
 * BroadcastRelayOperator} rather than over the network: with one network input left, Flink chains
 * it behind the operator that produces its other input, in the source's task (online training:
 * records and the newest model).
 *
 * <p>It hosts the operator's usual round wrapper and calls it as the network would: records of the
 * chained input as they come, the broadcast input's records and round watermarks in the task's
 * mailbox, a batch per mail. When its chained input ends it keeps the task alive (it runs the
 * mailbox, checkpoints included) until the broadcast input ends too, as the two-input task would.
 *
 * <p><b>Checkpoints.</b> Before its barrier it takes from the channel everything on its side of the
 * cut and applies it, so its state needs nothing of the channel: what the relay put later is in the
 * relay's checkpoint (see {@link FeedbackChannel#takeAtConsumerSnapshot}).
 *
 * @param <OUT> the operator's output type
 */
public final class RelayedBroadcastOperator<OUT>
        implements OneInputStreamOperator<IterationRecord<Object>, IterationRecord<OUT>>,
                BoundedOneInput,
                KeyContextHandler {

    private static final long serialVersionUID = 1L;

    private final TwoInputStreamOperator<
                    IterationRecord<Object>, IterationRecord<Object>, IterationRecord<OUT>>
            wrapper;
    private final String relayId;

    /**
     * The operator's two inputs, told apart once: the chained one (its data) and the relayed one
     * (the broadcast), whichever of its inputs 1 and 2 each is.
     */
    private final WrapperInput chained;

    private final WrapperInput relayed;

    private final TypeSerializer<IterationRecord<Object>> broadcastCopier;
    private final TypeSerializer<Object> broadcastValues;
    private final MailboxExecutor mailbox;
    private final MailboxExecutor anyMail;
    private final Environment environment;

    private transient FeedbackChannel channel;
    private transient boolean broadcastEnded;

    @SuppressWarnings("unchecked")
    RelayedBroadcastOperator(
            StreamOperator<IterationRecord<OUT>> wrapper,
            Environment environment,
            String relayId,
            int broadcastSide,
            TypeSerializer<IterationRecord<Object>> broadcastSerializer,
            MailboxExecutor mailbox,
            MailboxExecutor anyMail) {
        this.wrapper =
                (TwoInputStreamOperator<
                                IterationRecord<Object>,
                                IterationRecord<Object>,
                                IterationRecord<OUT>>)
                        wrapper;
        this.environment = environment;
        this.relayId = relayId;
        WrapperInput first = new WrapperInput(1);
        WrapperInput second = new WrapperInput(2);
        this.chained = broadcastSide == 0 ? second : first;
        this.relayed = broadcastSide == 0 ? first : second;
        this.broadcastCopier = broadcastSerializer;
        this.broadcastValues =
                ((IterationRecordSerializer<Object>) broadcastSerializer).getValueSerializer();
        this.mailbox = mailbox;
        this.anyMail = anyMail;
    }

    // ---- the chained input ----

    @Override
    public void processElement(StreamRecord<IterationRecord<Object>> element) throws Exception {
        chained.processElement(element);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        chained.processWatermark(mark);
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus watermarkStatus) {}

    @Override
    public void processLatencyMarker(LatencyMarker latencyMarker) throws Exception {
        chained.processLatencyMarker(latencyMarker);
    }

    @Override
    public void processRecordAttributes(RecordAttributes recordAttributes) {}

    @Override
    public void setKeyContextElement(StreamRecord<IterationRecord<Object>> record) {}

    @Override
    public boolean hasKeyContext() {
        return false;
    }

    @Override
    public void endInput() throws Exception {
        chained.endInput();
        // The two-input task lived until both inputs ended; so does this one. Any mail, so that
        // checkpoints are taken meanwhile: in a source's task their triggers are mails (a task
        // with a network input reads barriers from it, which it does not here; no relay there).
        while (!broadcastEnded) {
            anyMail.yield();
        }
    }

    // ---- the relayed input ----

    private void onBroadcast(List<FeedbackItem> items) throws Exception {
        for (FeedbackItem item : items) {
            item.accept(relayHandler);
        }
    }

    private final FeedbackItem.Handler relayHandler =
            new FeedbackItem.Handler() {
                @Override
                public void onRecord(FeedbackRecord<?> record) throws Exception {
                    @SuppressWarnings("unchecked")
                    StreamRecord<IterationRecord<Object>> fromRelay =
                            ((FeedbackRecord<Object>) record).get();
                    // The relay's checkpoint log may hold the same record: the operator gets a
                    // copy it may change or keep.
                    IterationRecord<Object> copy = broadcastCopier.copy(fromRelay.getValue());
                    relayed.processElement(
                            fromRelay.hasTimestamp()
                                    ? new StreamRecord<>(copy, fromRelay.getTimestamp())
                                    : new StreamRecord<>(copy));
                }

                @Override
                public void onChunk(SerializedFeedback chunk) throws Exception {
                    // Deserialized afresh: the operator's own.
                    chunk.emit(broadcastValues, relayed::processElement);
                }

                @Override
                public void onMarker(RoundMarker marker) throws Exception {
                    if (broadcastEnded) {
                        return; // a restored relay ends its finished input again
                    }
                    relayed.processWatermark(new Watermark(marker.round));
                    if (marker.round == Long.MAX_VALUE) {
                        broadcastEnded = true;
                        relayed.endInput();
                    }
                }

                @Override
                public void onDecision(RoundDecision decision) {
                    throw new IllegalStateException("A broadcast relay sends no " + decision);
                }
            };

    /** Input 1 or 2 of the hosted wrapper. */
    private final class WrapperInput {
        private final int id;

        WrapperInput(int id) {
            this.id = id;
        }

        void processElement(StreamRecord<IterationRecord<Object>> element) throws Exception {
            if (id == 1) {
                wrapper.processElement1(element);
            } else {
                wrapper.processElement2(element);
            }
        }

        void processWatermark(Watermark mark) throws Exception {
            if (id == 1) {
                wrapper.processWatermark1(mark);
            } else {
                wrapper.processWatermark2(mark);
            }
        }

        void processLatencyMarker(LatencyMarker marker) throws Exception {
            if (id == 1) {
                wrapper.processLatencyMarker1(marker);
            } else {
                wrapper.processLatencyMarker2(marker);
            }
        }

        void endInput() throws Exception {
            ((BoundedMultiInput) wrapper).endInput(id);
        }
    }

    // ---- lifecycle and checkpoints go to the wrapper ----

    @Override
    public void open() throws Exception {
        wrapper.open();
        channel =
                FeedbackChannels.acquire(
                        environment, this, relayId, BroadcastRelayOperator.CHANNEL);
        channel.registerConsumer(mailbox, this::onBroadcast);
    }

    @Override
    public void finish() throws Exception {
        wrapper.finish();
    }

    @Override
    public void close() throws Exception {
        try {
            wrapper.close();
        } finally {
            if (channel != null) {
                FeedbackChannels.release(
                        environment, this, relayId, BroadcastRelayOperator.CHANNEL);
                channel = null;
            }
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        // Applied before the barrier: their effects and what the operator emits for them are on
        // this side of the cut.
        onBroadcast(channel.takeAtConsumerSnapshot(checkpointId));
        wrapper.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public OperatorSnapshotFutures snapshotState(
            long checkpointId,
            long timestamp,
            CheckpointOptions checkpointOptions,
            CheckpointStreamFactory storageLocation)
            throws Exception {
        return wrapper.snapshotState(checkpointId, timestamp, checkpointOptions, storageLocation);
    }

    @Override
    public void initializeState(StreamTaskStateInitializer streamTaskStateManager)
            throws Exception {
        wrapper.initializeState(streamTaskStateManager);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        wrapper.notifyCheckpointComplete(checkpointId);
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) throws Exception {
        if (channel != null) {
            channel.abort(checkpointId);
        }
        wrapper.notifyCheckpointAborted(checkpointId);
    }

    @Override
    public void setKeyContextElement1(StreamRecord<?> record) {}

    @Override
    public void setKeyContextElement2(StreamRecord<?> record) {}

    @Override
    public OperatorMetricGroup getMetricGroup() {
        return wrapper.getMetricGroup();
    }

    @Override
    public OperatorID getOperatorID() {
        return wrapper.getOperatorID();
    }

    @Override
    public OperatorAttributes getOperatorAttributes() {
        return wrapper.getOperatorAttributes();
    }

    @Override
    public void setCurrentKey(Object key) {
        wrapper.setCurrentKey(key);
    }

    @Override
    public Object getCurrentKey() {
        return wrapper.getCurrentKey();
    }
}
