package io.github.flinkiteration.runtime.protocol;

import org.apache.flink.runtime.operators.coordination.CoordinationRequest;

/**
 * From a body operator's subtask as it starts round {@code round + 1}: the global aggregates of
 * round {@code round}, please. Answered with {@link AggregatesResponse} once they are known, which
 * in a running iteration is before the round could start.
 */
public final class AggregatesRequest implements CoordinationRequest {

    private static final long serialVersionUID = 1L;

    private final long round;

    public AggregatesRequest(long round) {
        this.round = round;
    }

    public long getRound() {
        return round;
    }
}
