package io.github.flinkiteration.api.spi;

/**
 * How a round number of the runtime, a {@code long}, reaches the API's {@code int} round
 * parameters: unchanged up to {@link Integer#MAX_VALUE}, and {@link Integer#MAX_VALUE} for every
 * round after it. Only an unbounded iteration runs that many rounds (about a month of an online job
 * at a thousand rounds a second); its functions that need the exact number read {@code
 * IterationRuntimeContext.currentRoundExact()}.
 *
 * <pre>{@code
 * listener.onRoundEnd(SaturatedRound.of(round), context, collector);
 * }</pre>
 */
public final class SaturatedRound {

    private SaturatedRound() {}

    /** {@code round}, or {@link Integer#MAX_VALUE} when it does not fit an {@code int}. */
    public static int of(long round) {
        return round > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) round;
    }
}
