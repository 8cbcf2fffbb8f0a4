package io.github.flinkiteration.examples;

/**
 * What one PageRank subtask sends another in a round: for each vertex the receiver owns (vertex
 * {@code v} belongs to subtask {@code v mod p}, at index {@code v / p}), the rank that flows into
 * it over the sender's edges. One dense array per pair of subtasks instead of one record per edge:
 * the round's traffic is then a few large records, cheap to serialize.
 */
public class RankContributions {

    /** The receiving subtask. */
    public int target;

    /** Incoming rank by the receiver's vertex index; empty in the kick-off of round 0. */
    public double[] sums;

    public RankContributions() {}

    public RankContributions(int target, double[] sums) {
        this.target = target;
        this.sums = sums;
    }
}
