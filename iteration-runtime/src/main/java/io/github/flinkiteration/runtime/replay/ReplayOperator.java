package io.github.flinkiteration.runtime.replay;

import io.github.flinkiteration.runtime.internal.OutputFlusher;
import io.github.flinkiteration.runtime.operator.ControlledEntryOperator;
import io.github.flinkiteration.runtime.progress.RoundDecisionEvent;
import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.state.SpillingBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.coordination.OperatorEvent;
import org.apache.flink.runtime.operators.coordination.OperatorEventHandler;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Where a constant enters the body. Input 1 carries the constant's records: they pass into round 0
 * and are cached; when the input ends, round watermark 0 follows. Each time the coordinator starts
 * a round {@code r}, the cache is replayed tagged with {@code r}, followed by round watermark
 * {@code r}. Input 2 comes from the iteration's control source and ends when the iteration ends,
 * which keeps this task alive until then, as for a head.
 *
 * <p>A replay goes out in slices, one mailbox action each, so that a large constant does not hold
 * the task thread (and its checkpoint barriers, once there are checkpoints) for a whole round.
 * Record timestamps are not cached: replayed records carry none. The cache ({@link SpillingBuffer})
 * takes this operator's share of managed memory and spills beyond it to {@link
 * io.github.flinkiteration.runtime.state.SpillOptions#SPILL_DIRECTORIES} (by default the
 * TaskManager's temporary directories); its file is deleted when the operator closes, also on
 * failure and cancellation.
 */
public final class ReplayOperator<T> extends ControlledEntryOperator<T>
        implements OperatorEventHandler {

    private static final long serialVersionUID = 1L;

    /** Records per mailbox action while replaying. */
    private static final int SLICE = 4096;

    private final MailboxExecutor mailbox;
    private final OutputFlusher flusher;
    private final String constant;

    private transient SpillingBuffer<T> cache;
    private final ArrayDeque<Integer> roundsToReplay = new ArrayDeque<>();
    private boolean inputEnded;

    private Iterator<T> replaying;
    private int replayingRound;

    ReplayOperator(StreamOperatorParameters<IterationRecord<T>> parameters, String constant) {
        super(parameters);
        this.constant = constant;
        OperatorID operatorId = parameters.getStreamConfig().getOperatorID();
        parameters.getOperatorEventDispatcher().registerEventHandler(operatorId, this);
        this.mailbox = parameters.getMailboxExecutor();
        this.flusher = OutputFlusher.of(parameters.getOutput());
    }

    @Override
    public void open() throws Exception {
        super.open();
        TypeSerializer<T> serializer = config.getTypeSerializerIn(0, getUserCodeClassloader());
        cache = SpillingBuffer.forOperator(this, serializer, "replay-" + constant);
    }

    @Override
    public void processElement1(StreamRecord<T> element) throws Exception {
        // Cache first: with object reuse, a chained operator downstream may change the value.
        cache.append(element.getValue());
        output.collect(element.replace(new IterationRecord<>(0, element.getValue())));
    }

    @Override
    public void endInput(int inputId) throws Exception {
        if (inputId == 1) {
            cache.finish();
            inputEnded = true;
            output.emitWatermark(new Watermark(0));
            flusher.flush();
            replayNext();
        }
    }

    @Override
    public void handleOperatorEvent(OperatorEvent event) {
        RoundDecisionEvent decision = (RoundDecisionEvent) event;
        // At termination no round follows; rounds already started still get their replay.
        if (!decision.isTerminate()) {
            roundsToReplay.add(decision.getNextRound());
            try {
                replayNext();
            } catch (Exception e) {
                throw new IllegalStateException("Could not replay constant '" + constant + "'", e);
            }
        }
    }

    /** Starts the next round's replay, unless one is running or the constant is still read. */
    private void replayNext() throws Exception {
        if (!inputEnded || replaying != null || roundsToReplay.isEmpty()) {
            return;
        }
        replayingRound = roundsToReplay.poll();
        replaying = cache.read();
        replaySlice();
    }

    private void replaySlice() throws Exception {
        if (replaying == null) {
            return; // finish() completed this replay already
        }
        for (int i = 0; i < SLICE && replaying.hasNext(); i++) {
            output.collect(
                    new StreamRecord<>(new IterationRecord<>(replayingRound, replaying.next())));
        }
        if (replaying.hasNext()) {
            mailbox.execute(this::replaySlice, "replay constant '%s'", constant);
            return;
        }
        replaying = null;
        output.emitWatermark(new Watermark(replayingRound));
        flusher.flush();
        replayNext();
    }

    /**
     * All inputs ended, so the iteration has terminated; a loop whose tails do not read this
     * constant may have run ahead of its replays. Those rounds did start: replay them now, in full,
     * since no further mailbox action may be scheduled from here on.
     */
    @Override
    public void finish() throws Exception {
        while (replaying != null || !roundsToReplay.isEmpty()) {
            if (replaying == null) {
                replayNext();
            }
            while (replaying != null) {
                replayRest();
            }
        }
        super.finish();
    }

    private void replayRest() {
        while (replaying.hasNext()) {
            output.collect(
                    new StreamRecord<>(new IterationRecord<>(replayingRound, replaying.next())));
        }
        replaying = null;
        output.emitWatermark(new Watermark(replayingRound));
    }

    @Override
    public void close() throws Exception {
        if (cache != null) {
            cache.close();
            cache = null;
        }
        super.close();
    }
}
