package io.github.flinkiteration.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * What an {@link IterationBody} returns: one feedback stream per variable, the named outputs, and
 * (for a bounded iteration) when to stop.
 *
 * <pre>{@code
 * return IterationDeclaration.builder()
 *         .withFeedback("centroids", next)
 *         .withOutput("model", next)
 *         .until(TerminationCondition.maxRounds(20))
 *         .build();
 * }</pre>
 */
public final class IterationDeclaration {

    private final Map<String, DataStream<?>> feedbacks;
    private final Map<String, DataStream<?>> outputs;
    private final Map<String, String> finalValues;
    private final TerminationCondition termination;
    private final Map<String, AggregateFunction<?, ?, ?>> aggregators;

    private IterationDeclaration(Builder builder) {
        this.aggregators = Collections.unmodifiableMap(new LinkedHashMap<>(builder.aggregators));
        this.feedbacks = Collections.unmodifiableMap(new LinkedHashMap<>(builder.feedbacks));
        this.outputs = Collections.unmodifiableMap(new LinkedHashMap<>(builder.outputs));
        this.finalValues = Collections.unmodifiableMap(new LinkedHashMap<>(builder.finalValues));
        this.termination = builder.termination;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Feedback streams by variable name. */
    public Map<String, DataStream<?>> getFeedbacks() {
        return feedbacks;
    }

    /** Output streams by output name. */
    public Map<String, DataStream<?>> getOutputs() {
        return outputs;
    }

    /** The variables whose final value leaves the iteration, by output name. */
    public Map<String, String> getFinalValues() {
        return finalValues;
    }

    /** The termination condition, or {@code null} when none was given. */
    public TerminationCondition getTermination() {
        return termination;
    }

    /** The aggregators by name, in the order declared. */
    public Map<String, AggregateFunction<?, ?, ?>> getAggregators() {
        return aggregators;
    }

    /** Builds an {@link IterationDeclaration}. */
    public static final class Builder {
        private final Map<String, DataStream<?>> feedbacks = new LinkedHashMap<>();
        private final Map<String, DataStream<?>> outputs = new LinkedHashMap<>();
        private final Map<String, String> finalValues = new LinkedHashMap<>();
        private TerminationCondition termination;
        private final Map<String, AggregateFunction<?, ?, ?>> aggregators = new LinkedHashMap<>();

        private Builder() {}

        /**
         * Declares a per-round aggregator (bounded iterations only): any function of the body adds
         * to it in round {@code r} through {@link IterationRuntimeContext#aggregator}, the runtime
         * combines the partial aggregates of all subtasks once per round, and every function reads
         * the result in round {@code r + 1} through {@link
         * IterationRuntimeContext#previousAggregate}. {@link
         * TerminationCondition#whenAggregateConverged} stops the iteration on it.
         *
         * <pre>{@code
         * .withAggregator("danglingMass", Aggregators.doubleSum())
         * }</pre>
         *
         * <p>The accumulator must be {@link java.io.Serializable}: partial accumulators are merged
         * on the JobManager.
         */
        public Builder withAggregator(String name, AggregateFunction<?, ?, ?> function) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(function, "aggregate function of aggregator '" + name + "'");
            if (aggregators.containsKey(name)) {
                throw new IllegalArgumentException(
                        "Aggregator '"
                                + name
                                + "' is declared twice; give each aggregator its own name.");
            }
            aggregators.put(name, function);
            return this;
        }

        /**
         * Feeds {@code stream} back into {@code variable}: its records of round {@code r} arrive at
         * the variable's input in round {@code r + 1}. Each variable takes exactly one.
         */
        public Builder withFeedback(String variable, DataStream<?> stream) {
            Objects.requireNonNull(variable, "variable");
            Objects.requireNonNull(stream, "feedback stream of variable '" + variable + "'");
            if (feedbacks.containsKey(variable)) {
                throw new IllegalArgumentException(
                        "Variable '"
                                + variable
                                + "' already has a feedback stream. Each variable takes exactly"
                                + " one; union the streams first if several should flow back.");
            }
            feedbacks.put(variable, stream);
            return this;
        }

        /** Emits {@code stream} out of the iteration under {@code name}. */
        public Builder withOutput(String name, DataStream<?> stream) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(stream, "output stream '" + name + "'");
            checkNewOutput(name);
            outputs.put(name, stream);
            return this;
        }

        /**
         * Emits the final value of {@code variable} under {@code name} (bounded iterations only):
         * the records its feedback stream carried in the last round, which would have entered the
         * round after it. This is what DataSet's {@code closeWith} returned, and it costs the loop
         * nothing per round, unlike an output that picks the last round's records in the body.
         *
         * <pre>{@code
         * return IterationDeclaration.builder()
         *         .withFeedback("ranks", next)
         *         .withFinalValue("result", "ranks")
         *         .until(TerminationCondition.maxRounds(20))
         *         .build();
         * }</pre>
         *
         * <p>If the last round fed nothing back (the iteration stopped for that reason), the stream
         * is empty. The records leave as the heads receive them, or when the iteration stops if a
         * round's feedback is held for its round.
         */
        public Builder withFinalValue(String name, String variable) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(variable, "variable of final value '" + name + "'");
            checkNewOutput(name);
            if (finalValues.containsValue(variable)) {
                throw new IllegalArgumentException(
                        "The final value of variable '"
                                + variable
                                + "' is already an output; use that output's stream twice"
                                + " instead of declaring it again as '"
                                + name
                                + "'.");
            }
            finalValues.put(name, variable);
            return this;
        }

        private void checkNewOutput(String name) {
            if (outputs.containsKey(name) || finalValues.containsKey(name)) {
                throw new IllegalArgumentException(
                        "Output '" + name + "' is declared twice; give each output its own name.");
            }
        }

        /** Sets when a bounded iteration stops. Unbounded iterations do not accept one. */
        public Builder until(TerminationCondition condition) {
            this.termination = Objects.requireNonNull(condition, "condition");
            return this;
        }

        public IterationDeclaration build() {
            return new IterationDeclaration(this);
        }
    }
}
