package io.github.flinkiteration.flinkml;

import io.github.flinkiteration.api.IterationContext;

/**
 * The context of the body being built on this thread. flink-ml's {@code forEachRound} is static and
 * takes no context, so {@link Iterations} publishes ours here for the duration of the body.
 */
final class BodyBuildScope {

    private static final ThreadLocal<IterationContext> CURRENT = new ThreadLocal<>();

    private BodyBuildScope() {}

    static IterationContext current() {
        IterationContext context = CURRENT.get();
        if (context == null) {
            throw new IllegalStateException(
                    "IterationBody.forEachRound can only be called while an IterationBody passed"
                            + " to Iterations is being built.");
        }
        return context;
    }

    /** Runs {@code build} with {@code context} as the current body's context. */
    static <T> T within(IterationContext context, java.util.function.Supplier<T> build) {
        IterationContext outer = CURRENT.get();
        CURRENT.set(context);
        try {
            return build.get();
        } finally {
            // Restores an enclosing body's context: bodies may build nested iterations.
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
        }
    }
}
