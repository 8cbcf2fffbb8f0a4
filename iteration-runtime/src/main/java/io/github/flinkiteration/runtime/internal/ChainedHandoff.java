package io.github.flinkiteration.runtime.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.graph.NonChainedOutput;
import org.apache.flink.streaming.api.graph.StreamConfig;
import org.apache.flink.streaming.api.graph.StreamEdge;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.StreamTaskException;

/**
 * Lets a loop operator hand its records straight to the one operator chained behind it, instead of
 * through Flink's chaining output, which (object reuse off) copies every record, its envelope and
 * its value for the next operator. The loop's own operators need no such copy where the values are
 * fresh (the head emits what it deserialized) or where the receiver keeps nothing (a tail
 * serializes each record at once); on a loop of one map (W3) two copies per visit were a third of
 * the allocations.
 *
 * <p>A receiver keeps no reference to the {@code StreamRecord} it is handed, nor to its envelope,
 * once {@code processElement} returns: senders reuse them from record to record. It may change them
 * during the call. It {@link #offer offers} itself when it opens; Flink opens a chain's operators
 * from its end to its start, so when the operator before it opens it finds it ({@link
 * #soleReceiver}) if the task's configuration says the receiver is that operator's only consumer of
 * its main output, chained. Side outputs, watermarks and every other element keep Flink's path.
 * Operators of one chain open, run and close in the task's thread, so receivers are kept per
 * thread.
 */
public final class ChainedHandoff {

    private static final ThreadLocal<Map<Integer, Offer>> RECEIVERS =
            ThreadLocal.withInitial(HashMap::new);

    private record Offer(OneInputStreamOperator<?, ?> receiver, boolean keepsValues) {}

    private ChainedHandoff() {}

    /** A receiver found for a sender: records go to it, counted as Flink's output would. */
    public static final class Target<T> {
        private final OneInputStreamOperator<T, ?> receiver;
        private final Counter receiverIn;
        private final Counter senderOut;

        private Target(OneInputStreamOperator<T, ?> receiver, Counter senderOut) {
            this.receiver = receiver;
            this.receiverIn = receiver.getMetricGroup().getIOMetricGroup().getNumRecordsInCounter();
            this.senderOut = senderOut;
        }

        public void handOver(StreamRecord<T> record) throws Exception {
            senderOut.inc();
            receiverIn.inc();
            receiver.processElement(record);
        }
    }

    /**
     * Called in {@code open()} by an operator that keeps no {@code StreamRecord} handed to it, nor
     * its envelope, once {@code processElement} returns.
     *
     * @param keepsValues whether it may keep or change the values past the call, as an operator
     *     that got Flink's copy may; only a sender that gives its values up hands over to it then
     */
    public static void offer(
            StreamConfig config, OneInputStreamOperator<?, ?> receiver, boolean keepsValues) {
        RECEIVERS.get().put(config.getVertexID(), new Offer(receiver, keepsValues));
    }

    /** Called in {@code close()} by an operator that offered itself. */
    public static void withdraw(StreamConfig config) {
        Map<Integer, Offer> receivers = RECEIVERS.get();
        receivers.remove(config.getVertexID());
        if (receivers.isEmpty()) {
            RECEIVERS.remove();
        }
    }

    /**
     * The receiver to hand the main output of the operator configured by {@code config} to, or
     * null: there is one only if that output goes to one operator, chained, which offered itself.
     *
     * @param givesUpValues whether the sender gives up the value of every record it hands over: it
     *     keeps no reference and nobody else holds one (a value it just deserialized)
     * @param senderOut the sender's count of records out, which Flink's output would have counted
     */
    @SuppressWarnings("unchecked")
    public static <T> Target<T> soleReceiver(
            StreamConfig config,
            ClassLoader classLoader,
            boolean givesUpValues,
            Counter senderOut) {
        StreamEdge only = null;
        try {
            for (StreamEdge edge : config.getChainedOutputs(classLoader)) {
                if (edge.getOutputTag() == null) {
                    if (only != null) {
                        return null;
                    }
                    only = edge;
                }
            }
            List<NonChainedOutput> network = config.getOperatorNonChainedOutputs(classLoader);
            for (NonChainedOutput output : network) {
                if (output.getOutputTag() == null) {
                    return null;
                }
            }
        } catch (StreamTaskException e) {
            return null; // Flink's path works without knowing
        }
        if (only == null) {
            return null;
        }
        Map<Integer, Offer> receivers = RECEIVERS.get();
        Offer offer = receivers.get(only.getTargetId());
        if (receivers.isEmpty()) {
            RECEIVERS.remove();
        }
        if (offer == null || (offer.keepsValues() && !givesUpValues)) {
            return null;
        }
        return new Target<>((OneInputStreamOperator<T, ?>) offer.receiver(), senderOut);
    }
}
