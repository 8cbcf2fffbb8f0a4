package io.github.flinkiteration.api.spi;

import io.github.flinkiteration.api.RoundAwareProcessFunction;

/**
 * Tells a {@link RoundAwareProcessFunction} the round of the record it is about to process. The
 * runtime calls {@link #setCurrentRound} before each record; users never do. The setter lives here,
 * in the SPI, so that the function's public surface has none: the function installs it from its
 * class initializer, which has run before any instance exists.
 *
 * <pre>{@code
 * RoundAwareFunctions.setCurrentRound(function, record.getRound());
 * function.processElement(record.getValue(), ctx, out);
 * }</pre>
 */
public final class RoundAwareFunctions {

    /** Writes a function's round; implemented in the API package, where the field is visible. */
    @FunctionalInterface
    public interface RoundSetter {
        void set(RoundAwareProcessFunction<?, ?> function, long round);
    }

    private static volatile RoundSetter setter;

    private RoundAwareFunctions() {}

    /** Called once, by {@link RoundAwareProcessFunction}'s class initializer. */
    public static synchronized void install(RoundSetter roundSetter) {
        if (setter != null) {
            throw new IllegalStateException("The round setter of RoundAwareProcessFunction is set");
        }
        setter = roundSetter;
    }

    /**
     * Sets the round {@code function} passes to its next {@code processElement} calls, as {@link
     * SaturatedRound} shows it.
     */
    public static void setCurrentRound(RoundAwareProcessFunction<?, ?> function, long round) {
        setter.set(function, round);
    }
}
