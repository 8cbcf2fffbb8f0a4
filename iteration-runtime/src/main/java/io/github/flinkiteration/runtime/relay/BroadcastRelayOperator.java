package io.github.flinkiteration.runtime.relay;

import io.github.flinkiteration.runtime.checkpoint.BroadcastCopyState;
import io.github.flinkiteration.runtime.feedback.FeedbackChannel;
import io.github.flinkiteration.runtime.feedback.FeedbackChannels;
import io.github.flinkiteration.runtime.protocol.FeedbackItem;
import io.github.flinkiteration.runtime.protocol.FeedbackItemCodec;
import io.github.flinkiteration.runtime.protocol.FeedbackRecord;
import io.github.flinkiteration.runtime.protocol.RoundMarker;
import io.github.flinkiteration.runtime.protocol.SerializedFeedback;
import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.record.IterationRecordSerializer;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Receives a broadcast input of a body operator in that operator's place and hands it, in process,
 * to the co-located {@link RelayedBroadcastOperator}, which then needs no network input of its own
 * for it and can be chained behind its other input.
 *
 * <p>Records go through a {@link FeedbackChannel}, round watermarks as {@link RoundMarker}s, and
 * the end of the input as the marker {@code Long.MAX_VALUE}. The relay plays the channel's tail:
 * its checkpoint keeps what it put after the consumer's snapshot (the channel's log), and a restore
 * puts that back first. Its second input is a record-less link from the consumer: co-located tasks
 * must share a pipelined region.
 *
 * @param <T> the broadcast stream's type
 */
public final class BroadcastRelayOperator<T> extends AbstractStreamOperator<Void>
        implements TwoInputStreamOperator<IterationRecord<T>, Void, Void>, BoundedMultiInput {

    private static final long serialVersionUID = 1L;

    /** The name under which relay and consumer find their channel. */
    static final String CHANNEL = "broadcast";

    private final String relayId;

    private transient FeedbackChannel channel;
    private transient BroadcastCopyState<FeedbackItem> loggedState;
    private transient List<FeedbackItem> restoredLog;

    /** Serializes what comes while the consumer lags, so that the channel can spill it. */
    private transient SerializedFeedback.Writer<T> overflow;

    /**
     * @param relayId unique per relayed operator of an iteration, shared with its consumer
     */
    public BroadcastRelayOperator(String relayId) {
        this.relayId = relayId;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        TypeSerializer<IterationRecord<T>> serializer =
                config.getTypeSerializerIn(0, getUserCodeClassloader());
        loggedState =
                BroadcastCopyState.register(
                        context.getOperatorStateStore(),
                        "broadcast-relay-in-flight",
                        new FeedbackItemCodec<>(serializer));
        if (context.isRestored()) {
            restoredLog =
                    loggedState.restore(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        channel = FeedbackChannels.acquire(this, relayId, CHANNEL);
        overflow =
                new SerializedFeedback.Writer<>(
                        ((IterationRecordSerializer<T>)
                                        config.<IterationRecord<T>>getTypeSerializerIn(
                                                0, getUserCodeClassloader()))
                                .getValueSerializer());
        if (restoredLog != null) {
            restoredLog.forEach(channel::put);
            restoredLog = null;
        }
    }

    @Override
    public void processElement1(StreamRecord<IterationRecord<T>> element) throws Exception {
        if (channel.isCrowded()) {
            // One record per chunk: nothing may wait here for more.
            overflow.write(element, element.getValue().getRound());
            channel.put(overflow.take());
            return;
        }
        // Deserialized for this task alone: nothing else holds it.
        channel.put(new FeedbackRecord<>(element));
    }

    @Override
    public void processElement2(StreamRecord<Void> element) {}

    @Override
    public void processWatermark1(Watermark mark) {
        channel.put(new RoundMarker(mark.getTimestamp()));
    }

    @Override
    public void processWatermark2(Watermark mark) {}

    @Override
    public void endInput(int inputId) {
        if (inputId == 1) {
            // The operator ends its input at the first such marker and ignores any after it
            // (the head's final watermark comes before, a restored relay ends again).
            channel.put(new RoundMarker(Long.MAX_VALUE));
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        loggedState.update(
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                channel.snapshotAtTail(context.getCheckpointId()));
    }

    @Override
    public void close() throws Exception {
        if (channel != null) {
            FeedbackChannels.release(this, relayId, CHANNEL);
            channel = null;
        }
        super.close();
    }
}
