package io.github.flinkiteration.api;

import io.github.flinkiteration.api.spi.RoundAwareFunctions;
import io.github.flinkiteration.api.spi.SaturatedRound;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * A {@link ProcessFunction} that knows which round each record belongs to. Apply it with {@code
 * DataStream#process} inside an iteration body.
 *
 * <pre>{@code
 * DataStream<String> tagged = inputs.<Integer>get("x").process(
 *         new RoundAwareProcessFunction<Integer, String>() {
 *             public void processElement(Integer v, int round, Context ctx, Collector<String> out) {
 *                 out.collect("round " + round + ": " + v);
 *             }
 *         });
 * }</pre>
 */
public abstract class RoundAwareProcessFunction<I, O> extends ProcessFunction<I, O> {

    private static final long serialVersionUID = 1L;

    static {
        // The runtime sets the round through the SPI, so that users see no setter here.
        RoundAwareFunctions.install(
                (function, round) -> function.currentRound = SaturatedRound.of(round));
    }

    private transient int currentRound = -1;

    /**
     * Processes one record of round {@code round}. Rounds past {@link Integer#MAX_VALUE}, which
     * only an unbounded iteration reaches, are passed as {@link Integer#MAX_VALUE}; {@link
     * IterationRuntimeContext#currentRoundExact()} gives the exact round there.
     */
    public abstract void processElement(I value, int round, Context ctx, Collector<O> out)
            throws Exception;

    @Override
    public final void processElement(I value, Context ctx, Collector<O> out) throws Exception {
        if (currentRound < 0) {
            throw new IllegalStateException(
                    getClass().getName()
                            + " is a RoundAwareProcessFunction used outside an iteration body;"
                            + " it only knows rounds inside one. Apply it to a stream inside an"
                            + " iteration body, or extend ProcessFunction instead.");
        }
        processElement(value, currentRound, ctx, out);
    }
}
