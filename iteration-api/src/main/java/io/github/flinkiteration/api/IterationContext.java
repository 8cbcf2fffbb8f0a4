package io.github.flinkiteration.api;

/**
 * Facts about the iteration whose body is being built, handed to {@link IterationBody#iterate}.
 *
 * <pre>{@code
 * new BoundedIteration()
 *         .bindVariable("x", initial)
 *         .withBody((inputs, context) -> {
 *             boolean bounded = context.isBounded();
 *             ...
 *         });
 * }</pre>
 */
public interface IterationContext {

    /** Whether the iteration is bounded (a {@link BoundedIteration}). */
    boolean isBounded();

    /** The configuration the iteration was built with. */
    IterationConfig getConfig();
}
