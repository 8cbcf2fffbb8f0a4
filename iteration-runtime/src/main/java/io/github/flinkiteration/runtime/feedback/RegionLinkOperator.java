package io.github.flinkiteration.runtime.feedback;

import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Connects a head to its tail when the tail's feedback is not computed from that head, as when two
 * variables are fed back crosswise. Head and tail share a co-location group, and Flink's scheduler
 * requires co-located tasks to lie in one pipelined region: without a path from the head to the
 * tail they would lie in two, and the job would not start. The link drops every record; round
 * watermarks and barriers pass, which the tail's alignment takes in its stride (the head's round
 * watermark never runs behind the feedback of the same round).
 */
public final class RegionLinkOperator<T> extends AbstractStreamOperator<T>
        implements OneInputStreamOperator<Object, T> {

    private static final long serialVersionUID = 1L;

    @Override
    public void processElement(StreamRecord<Object> element) {}
}
