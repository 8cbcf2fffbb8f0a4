package io.github.flinkiteration.tf.runtime;

import java.util.Locale;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * What an averager knows about the round it just finished, as gauges: the round, its loss, its rows
 * per second and its wall time, plus a counter of all rows trained. The round time is the time
 * between two ends of rounds (the first from {@link #start}), so it spans the whole loop: training,
 * averaging and feeding back. Its {@link #toString} is the body of the averager's log line.
 */
final class RoundMetrics {

    // Written by the task thread, read by the reporter's thread.
    private volatile long round = -1;
    private volatile double loss = Double.NaN;
    private volatile double roundMillis = Double.NaN;
    private volatile double rowsPerSecond = Double.NaN;
    private long rows;
    private long lastEndNanos;
    private Counter rowsTrained;

    /** Registers the metrics in {@code group} and starts timing the first round. */
    void start(MetricGroup group) {
        group.gauge("round", (Gauge<Long>) () -> round);
        group.gauge("loss", (Gauge<Double>) () -> loss);
        group.gauge("roundTimeMs", (Gauge<Double>) () -> roundMillis);
        group.gauge("rowsPerSecond", (Gauge<Double>) () -> rowsPerSecond);
        rowsTrained = group.counter("rowsTrained");
        lastEndNanos = System.nanoTime();
    }

    /** Records the end of {@code round}, whose {@code rows} rows had the mean loss {@code loss}. */
    void roundEnded(long round, double loss, long rows) {
        long now = System.nanoTime();
        long nanos = Math.max(1, now - lastEndNanos);
        lastEndNanos = now;
        this.rows = rows;
        this.roundMillis = nanos / 1e6;
        this.rowsPerSecond = rows * 1e9 / nanos;
        this.loss = loss;
        this.round = round;
        rowsTrained.inc(rows);
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "loss %.6f, %d rows in %.1f ms (%.0f rows/s)",
                loss,
                rows,
                roundMillis,
                rowsPerSecond);
    }
}
