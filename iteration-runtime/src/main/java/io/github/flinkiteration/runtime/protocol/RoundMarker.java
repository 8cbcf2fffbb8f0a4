package io.github.flinkiteration.runtime.protocol;

/**
 * Put into a feedback channel by a tail when its round watermark advances: every feedback record of
 * rounds up to {@code round} has been put before it. {@code Long.MAX_VALUE} means none will ever
 * come again.
 */
public final class RoundMarker implements FeedbackItem {

    public final long round;

    public RoundMarker(long round) {
        this.round = round;
    }

    @Override
    public void accept(Handler handler) throws Exception {
        handler.onMarker(this);
    }

    @Override
    public String toString() {
        return "RoundMarker{" + round + "}";
    }
}
