package io.github.flinkiteration.runtime.protocol;

/**
 * What one tail subtask of a lock-step iteration tells every {@code RoundDeciderOperator} when its
 * round watermark passes: round {@code round} is complete at this subtask, and it fed {@code
 * feedbackRecords} records back into the next round.
 *
 * <p>A plain POJO so that Flink serializes it without Kryo.
 */
public class RoundSummary {

    /** The tail's variable, as its position among the iteration's variables. */
    public int variable;

    public int subtask;

    /** The tail's parallelism: a decider learns from it how many summaries a round needs. */
    public int parallelism;

    public long round;

    public long feedbackRecords;

    public RoundSummary() {}

    public RoundSummary(
            int variable, int subtask, int parallelism, long round, long feedbackRecords) {
        this.variable = variable;
        this.subtask = subtask;
        this.parallelism = parallelism;
        this.round = round;
        this.feedbackRecords = feedbackRecords;
    }

    @Override
    public String toString() {
        return "RoundSummary{variable="
                + variable
                + ", subtask="
                + subtask
                + "/"
                + parallelism
                + ", round="
                + round
                + ", feedbackRecords="
                + feedbackRecords
                + "}";
    }
}
