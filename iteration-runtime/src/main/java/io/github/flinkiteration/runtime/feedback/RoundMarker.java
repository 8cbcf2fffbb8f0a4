package io.github.flinkiteration.runtime.feedback;

/**
 * Put into a feedback channel by a tail when its round watermark advances: every feedback record of
 * rounds up to {@code round} has been put before it. {@code Long.MAX_VALUE} means none will ever
 * come again.
 */
final class RoundMarker {

    final long round;

    RoundMarker(long round) {
        this.round = round;
    }
}
