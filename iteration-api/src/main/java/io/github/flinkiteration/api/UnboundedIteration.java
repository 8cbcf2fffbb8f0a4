package io.github.flinkiteration.api;

import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * An iteration that runs as long as its inputs do: online training on a stream that may never end.
 * Records and feedback flow through the body as they come, with no barrier between rounds.
 *
 * <pre>{@code
 * ResultStreams results = new UnboundedIteration()
 *         .bindVariable("model", initialModel)    // model updates are fed back here
 *         .bindData("events", events)              // may be unbounded
 *         .withBody((inputs, context) -> {
 *             DataStream<Model> model = inputs.get("model");
 *             DataStream<Event> events = inputs.get("events");
 *             DataStream<Model> updates = ...;
 *             return IterationDeclaration.builder()
 *                     .withFeedback("model", updates)
 *                     .withOutput("models", updates)
 *                     .build();
 *         })
 *         .apply();
 * }</pre>
 *
 * <p>How rounds behave here:
 *
 * <ul>
 *   <li>Records of the variables' initial streams and of data streams have round 0; a record fed
 *       back in round {@code r} comes back with round {@code r + 1}, as in a bounded iteration.
 *   <li>Nothing waits for a round to end: a record of round {@code r + 1} is processed as soon as
 *       it arrives, even while round {@code r} is still running. {@code onRoundStart(r)} fires
 *       before an operator's first record of round {@code r}; {@code onRoundEnd(r)} fires once
 *       every record of round {@code r} reached the operator. Each kind of callback comes in round
 *       order, but {@code onRoundStart(r + 1)} may precede {@code onRoundEnd(r)}.
 *   <li>Round 0 ends only when every initial and data stream has ended, so with an unbounded input
 *       no {@code onRoundEnd} fires at all; per-record logic belongs in {@code processElement}.
 *   <li>The iteration ends when all its inputs have ended and the loop has drained: after the first
 *       round that fed nothing back. Then {@code onIterationTerminated} fires and the outputs end.
 *       With an unbounded input the job runs until it is cancelled.
 *   <li>Record timestamps pass through the body unchanged. Event-time watermarks do not enter the
 *       body (inside it, watermarks mark rounds), and outputs carry none until the iteration ends:
 *       assign timestamps and watermarks again on an output that feeds event-time operators.
 * </ul>
 *
 * <p>An unbounded iteration takes no termination condition: a body that declares {@code until} is
 * rejected when the graph is built.
 */
public final class UnboundedIteration {

    private final IterationBindings bindings = new IterationBindings();

    /**
     * Binds a variable: {@code initial} enters the body with round 0, and the feedback declared for
     * {@code name} enters it as it is produced.
     */
    public UnboundedIteration bindVariable(String name, DataStream<?> initial) {
        bindings.bindVariable(name, initial);
        return this;
    }

    /** Binds a stream, bounded or not, that enters the body once, with round 0. */
    public UnboundedIteration bindData(String name, DataStream<?> stream) {
        bindings.bindData(name, stream);
        return this;
    }

    /** Sets the iteration's options; {@link IterationConfig#defaults()} otherwise. */
    public UnboundedIteration withConfig(IterationConfig config) {
        bindings.setConfig(config);
        return this;
    }

    /**
     * Names the iteration, for the metrics and log lines that describe it and for the ids of its
     * own operators (heads, tails, control sources, replays, checks, inputs and outputs), which
     * derive from the name: {@code flink-iteration/<name>/<role>/<variable>}. A savepoint restores
     * into the iteration of the same name, so <b>renaming an iteration breaks savepoint
     * compatibility</b>, as changing a {@code uid} would. The body's operators keep the uids the
     * user gives them; set them as in any Flink job.
     *
     * <p>By default the name is {@code iteration} followed by the variables' names, for example
     * {@code iteration[centroids]}; a second iteration of the same job with the same default gets
     * {@code iteration[centroids]#2}, a third {@code #3}, in the order they are built. A name given
     * here is taken as is: two iterations of one job with the same given name fail at {@code
     * apply()}.
     *
     * <pre>{@code
     * new UnboundedIteration().name("kmeans").bindVariable("centroids", initial)...
     * }</pre>
     */
    public UnboundedIteration name(String name) {
        bindings.setName(name);
        return this;
    }

    /**
     * Replaces the default name {@code iteration[<variables>]} with {@code name}, for libraries
     * that build iterations for their users. It stays a default: {@link #name(String)} wins over
     * it, and a second iteration of the job with the same default gets {@code name#2}.
     */
    public UnboundedIteration defaultName(String name) {
        bindings.setDefaultName(name);
        return this;
    }

    /** Sets the body. */
    public UnboundedIteration withBody(IterationBody body) {
        bindings.setBody(body);
        return this;
    }

    /**
     * Builds the iteration into the job graph and returns its outputs.
     *
     * @throws IllegalArgumentException if the body or its bindings are invalid, including a body
     *     that declares a termination condition; the message names the stream or operator at fault
     * @throws IllegalStateException if {@code iteration-runtime} is not on the classpath
     */
    public ResultStreams apply() {
        return bindings.apply(false);
    }
}
