package io.github.flinkiteration.api;

/**
 * The loop body of an iteration: builds, from the iteration's inputs, the streams it feeds back and
 * the streams it emits.
 *
 * <p>The body runs once, on the client, while the job graph is built; it is never shipped to the
 * cluster. The functions it passes to Flink operators are shipped as usual.
 *
 * <pre>{@code
 * IterationBody body = (inputs, context) -> {
 *     DataStream<Integer> counter = inputs.get("counter");
 *     DataStream<Integer> next = counter.map(x -> x + 1);
 *     return IterationDeclaration.builder()
 *             .withFeedback("counter", next)
 *             .withOutput("counter", next)
 *             .until(TerminationCondition.maxRounds(10))
 *             .build();
 * };
 * }</pre>
 */
@FunctionalInterface
public interface IterationBody {

    /**
     * Builds the body.
     *
     * @param inputs the body-side streams of every bound variable and data stream
     * @param context facts about the iteration being built
     * @return what the body feeds back, what it emits and when it stops; never {@code null}
     */
    IterationDeclaration iterate(IterationInputs inputs, IterationContext context);
}
