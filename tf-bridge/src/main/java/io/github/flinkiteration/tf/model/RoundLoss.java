package io.github.flinkiteration.tf.model;

/**
 * The training loss of one round: the mean of the mini-batch losses of all subtasks, each batch
 * weighted by its rows and measured before its optimizer step. A Flink POJO.
 */
public class RoundLoss {

    /** The round, from 0. */
    public int round;

    /** The row-weighted mean loss. */
    public double loss;

    /** The rows trained on in this round, over all subtasks (padding included). */
    public long rows;

    public RoundLoss() {}

    public RoundLoss(int round, double loss, long rows) {
        this.round = round;
        this.loss = loss;
        this.rows = rows;
    }

    @Override
    public String toString() {
        return "RoundLoss{round=" + round + ", loss=" + loss + ", rows=" + rows + '}';
    }
}
