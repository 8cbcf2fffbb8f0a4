package io.github.flinkiteration.runtime.coordinator;

import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A source that emits nothing and ends when its iteration terminates. It feeds the second input of
 * every head, so a head's task keeps an open input, and keeps taking part in checkpoints, after the
 * variable's initial stream has ended: no blocking inside {@code endInput}.
 *
 * <p>By default it is unbounded as far as Flink can tell, which keeps a job with only bounded
 * sources in streaming mode under {@code AUTOMATIC}. In a job set to BATCH it says it is bounded:
 * Flink refuses unbounded sources there, and the loop's own edges are kept pipelined instead.
 */
public final class IterationControlSource implements Source<Void, ControlSplit, Void> {

    private static final long serialVersionUID = 1L;

    private final ProgressPlan plan;
    private final Boundedness boundedness;

    /**
     * @param boundedness what the source tells Flink: {@code BOUNDED} in a BATCH job, where Flink
     *     refuses unbounded sources (the source does end, when the iteration terminates)
     */
    public IterationControlSource(ProgressPlan plan, Boundedness boundedness) {
        this.plan = plan;
        this.boundedness = boundedness;
    }

    /** The name of the iteration this source controls. */
    public String getIterationName() {
        return plan.getName();
    }

    @Override
    public Boundedness getBoundedness() {
        return boundedness;
    }

    @Override
    public SourceReader<Void, ControlSplit> createReader(SourceReaderContext readerContext) {
        return new ControlReader();
    }

    @Override
    public SplitEnumerator<ControlSplit, Void> createEnumerator(
            SplitEnumeratorContext<ControlSplit> enumContext) {
        return new ControlEnumerator(enumContext, plan);
    }

    @Override
    public SplitEnumerator<ControlSplit, Void> restoreEnumerator(
            SplitEnumeratorContext<ControlSplit> enumContext, Void checkpoint) {
        return new ControlEnumerator(enumContext, plan);
    }

    @Override
    public SimpleVersionedSerializer<ControlSplit> getSplitSerializer() {
        return new NothingSerializer<>(ControlSplit.INSTANCE);
    }

    @Override
    public SimpleVersionedSerializer<Void> getEnumeratorCheckpointSerializer() {
        return new NothingSerializer<>(null);
    }
}
