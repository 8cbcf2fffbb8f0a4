package io.github.flinkiteration.runtime.protocol;

/**
 * What a feedback channel carries from a tail (and a round decider) to the head of the same
 * subtask. There are four kinds, and every place that handles items names what it does with each
 * through a {@link Handler}, so that a fifth kind cannot be forgotten anywhere.
 *
 * <pre>{@code
 * item.accept(new FeedbackItem.Handler() {
 *     public void onRecord(FeedbackRecord<?> record) { ... }
 *     public void onChunk(SerializedFeedback chunk) { ... }
 *     public void onMarker(RoundMarker marker) { ... }
 *     public void onDecision(RoundDecision decision) { ... }
 * });
 * }</pre>
 */
public sealed interface FeedbackItem permits RoundFeedback, RoundMarker, RoundDecision {

    /** Calls the method of {@code handler} for this item's kind. */
    void accept(Handler handler) throws Exception;

    /** One method per kind of item. */
    interface Handler {

        /** A record fed back on its own (iterations that do not run in lock-step). */
        void onRecord(FeedbackRecord<?> record) throws Exception;

        /** Records of one round, serialized (lock-step iterations). */
        void onChunk(SerializedFeedback chunk) throws Exception;

        /** The tail's round watermark passed: its rounds up to the marker's are complete. */
        void onMarker(RoundMarker marker) throws Exception;

        /** The co-located round decider decided a round. */
        void onDecision(RoundDecision decision) throws Exception;
    }
}
